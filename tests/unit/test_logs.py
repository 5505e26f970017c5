import logging
import sys

import pytest
from opentelemetry.sdk.trace import TracerProvider

from common.logs import MASK, JsonFormatter, MaskingFormatter, _ContextFilter, mask, register_secret


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("login with password=hunter2a failed", "hunter2a"),
        ("{'password': 'hunter2b'}", "hunter2b"),
        ("X-Auth-Token: gAAAAABkTokenValue", "gAAAAABkTokenValue"),
        ("headers {'api-token': 'aa-bb-cc-dd'}", "aa-bb-cc-dd"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
        ("postgresql+psycopg://draas:s3cr3t@db/draas", "s3cr3t"),
        ("api_token=T-1234 and more", "T-1234"),
        ("X-Target-Auth-Token: gAAAAABkTargetValue", "gAAAAABkTargetValue"),
        ('target_token: "gAAAAABkProofValue"', "gAAAAABkProofValue"),
    ],
)
def test_credential_shapes_are_masked(text, secret):
    masked = mask(text)
    assert secret not in masked
    assert MASK in masked


def test_ordinary_text_is_left_alone():
    text = "volume volume-1-cinder replicated to site-b in 3.2 s (token bucket full)"
    assert mask(text) == text


def test_registered_secrets_are_masked_anywhere():
    register_secret("Quartz-Otter-77")
    assert mask("array said: bad key Quartz-Otter-77!") == "array said: bad key ***!"


def test_short_values_are_not_registered():
    register_secret("ab")
    assert mask("abc ab") == "abc ab"


def _record(message, *args, exc_info=None):
    record = logging.LogRecord("draas.test", logging.ERROR, __file__, 1, message, args, exc_info)
    _ContextFilter("metadata", "site-a").filter(record)
    return record


def test_arguments_and_tracebacks_are_masked():
    register_secret("Velvet-Comet-99")
    try:
        raise RuntimeError("array refused token Velvet-Comet-99")
    except RuntimeError:
        exc_info = sys.exc_info()
    record = _record("login as %s with %s", "pureuser", "Velvet-Comet-99", exc_info=exc_info)
    for formatter in (MaskingFormatter("%(message)s"), JsonFormatter()):
        line = formatter.format(record)
        assert "Velvet-Comet-99" not in line
        assert "pureuser" in line


def test_records_carry_the_current_trace_id():
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        record = _record("inside")
    assert record.trace_id == format(span.get_span_context().trace_id, "032x")
    assert _record("outside").trace_id == "-"
