"""Logging for every draas process: one format, the trace id on every line, and secrets masked.

Masking works on the final text of a record (message, arguments and traceback), so a secret is
hidden however it got there: registered values (every secret setting registers itself) and
anything shaped like a credential (password=..., X-Auth-Token: ..., user:pass@ in URLs).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
from typing import Literal

from opentelemetry import trace

MASK = "***"
_MIN_SECRET_LENGTH = 4

_CREDENTIAL_SHAPES = (
    # Header-like: "X-Auth-Token: abc", "api-token=abc", "Authorization: Bearer abc".
    re.compile(
        r"(?i)\b((?:x-auth-token|x-target-auth-token|x-subject-token|api-token|authorization)\b['\"]?\s*[:=]\s*"
        r"['\"]?(?:bearer\s+|basic\s+)?)[^\s,;'\"&}]+"
    ),
    # Key-value: "password=abc", "'api_token': 'abc'", "secret: abc".
    re.compile(
        r"(?i)\b((?:password|passwd|secret|api_token|auth_token|access_token|target_token|token)\b['\"]?\s*[:=]\s*"
        r"['\"]?)[^\s,;'\"&}]+"
    ),
    # URL userinfo: "postgresql://user:abc@host".
    re.compile(r"(://[^:/@\s]+:)[^@/\s]+(@)"),
)


class SecretRegistry:
    """The secret values this process knows; `mask` hides them and credential shapes."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def register(self, value: str | None) -> None:
        """Remembers a secret value so it is masked from now on (too short ones are ignored,
        they would mask ordinary text)."""
        if value and len(value) >= _MIN_SECRET_LENGTH:
            with self._lock:
                self._values.add(value)

    def mask(self, text: str) -> str:
        """The text with every registered secret and every credential shape masked."""
        with self._lock:
            values = sorted(self._values, key=len, reverse=True)
        for value in values:
            text = text.replace(value, MASK)
        for shape in _CREDENTIAL_SHAPES:
            text = shape.sub(
                lambda m: m.group(1) + MASK + (m.group(2) if m.lastindex == 2 else ""), text
            )
        return text


secrets = SecretRegistry()


def register_secret(value: str | None) -> None:
    """Masks this value in every log line, error message and trace from now on."""
    secrets.register(value)


def mask(text: str) -> str:
    """The text with every known secret masked."""
    return secrets.mask(text)


class _ContextFilter(logging.Filter):
    """Adds the service, the site and the current trace and span ids to every record."""

    def __init__(self, service: str, site: str) -> None:
        super().__init__()
        self.service = service
        self.site = site

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.site = self.site
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else "-"
        record.span_id = format(context.span_id, "016x") if context.is_valid else "-"
        return True


class MaskingFormatter(logging.Formatter):
    """Plain text lines, secrets masked."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, secrets masked, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "service": getattr(record, "service", ""),
            "site": getattr(record, "site", ""),
            "trace_id": getattr(record, "trace_id", "-"),
            "span_id": getattr(record, "span_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask(json.dumps(entry))


_TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [%(site)s %(service)s trace=%(trace_id)s] %(message)s"
)


def configure_logging(
    service: str,
    site: str,
    level: str = "INFO",
    fmt: Literal["text", "json"] = "text",
) -> None:
    """Sends this process's logs to stderr in the draas format; replaces earlier handlers."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter(service, site))
    handler.setFormatter(JsonFormatter() if fmt == "json" else MaskingFormatter(_TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
