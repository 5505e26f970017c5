"""Property-based: requests generated from the gateway's own OpenAPI document, well-formed and
malformed, by a tenant with a valid token, against site B's gateway in front of the real
orchestrator. No request gets a server error; every refusal is a problem document; malformed
input is refused with a 4xx; every answer is one the document declares."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from gateway.app import create_app
from gateway.settings import GatewaySettings
from tests.functional.dr.gateway_client import site_tokens

SITE = "site-b"
EXAMPLES = 30


def _document() -> dict[str, Any]:
    """The document as the gateway publishes it, built without serving (to name the tests)."""
    app = create_app(GatewaySettings(site=SITE, keystone_url="http://127.0.0.1:9/v3"))
    try:
        return app.openapi()
    finally:
        app.state.orchestrator.close()
        app.state.tokens.close()


DOCUMENT = _document()
ROUTES = [
    (method.upper(), path)
    for path, operations in sorted(DOCUMENT["paths"].items())
    for method in operations
]
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def published(gateways: dict[str, str]) -> Any:
    document = httpx.get(f"{gateways[SITE]}/v1/openapi.json").json()
    assert document == DOCUMENT
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=gateways[SITE])
    # The token is sent with every request; it is not input to get wrong.
    schema.config.generation.update(with_security_parameters=False)
    return schema


@pytest.fixture(scope="module")
def member(lab) -> dict[str, str]:
    return site_tokens(lab, SITE)["member"]


def refusal_is_a_problem(response: Any) -> None:
    """Every 4xx is an application/problem+json document with its status and a detail."""
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"][0] == "application/problem+json", response.text
        body = response.json()
        assert body["status"] == response.status_code and body["detail"], body


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_no_generated_request_gets_a_server_error(published, member, method, path, mode):
    operation = published[path][method]
    if mode is GenerationMode.NEGATIVE and not DOCUMENT["paths"][path][method.lower()].get(
        "parameters"
    ):
        pytest.skip("nothing to get wrong: the route takes no input")

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def requests(case: Any) -> None:
        # A query value of None is not sent at all, so it cannot be the malformed part.
        assume(None not in (case.query or {}).values())
        response = case.call(headers=member, timeout=30)
        case.validate_response(response, checks=CHECKS, headers=member)
        refusal_is_a_problem(response)

    requests()
