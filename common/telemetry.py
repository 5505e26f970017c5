"""OpenTelemetry for every draas process.

Each process has one TracerProvider naming its service and site; it exports over OTLP when
OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Servers and clients
made by `common.grpc_server` and `common.grpc_client` trace every call and carry the W3C trace
context across, so one request is one trace through every service. Code takes the provider it
was given, never the global one, so several services can share a test process.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)

_OTLP_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")

P = ParamSpec("P")
R = TypeVar("R")


def create_tracer_provider(
    service: str, site: str, exporter: SpanExporter | None = None
) -> TracerProvider:
    """A tracer provider for one draas service in one site.

    :param exporter: also export every span to this one, synchronously (tests use an in-memory
        exporter); the OTLP exporter is added when its endpoint variable is set.
    """
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": f"draas-{service}",
                "service.namespace": "draas",
                "draas.site": site,
            }
        )
    )
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if any(os.environ.get(name) for name in _OTLP_VARIABLES):
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def install_global(provider: TracerProvider) -> None:
    """Makes the provider the process-wide default (a service's main does this once)."""
    trace.set_tracer_provider(provider)


def in_current_context(fn: Callable[P, R]) -> Callable[P, R]:
    """Wraps fn to run in a copy of the caller's context, so work handed to a thread pool stays
    in the caller's trace."""
    context = contextvars.copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return context.copy().run(fn, *args, **kwargs)

    return run


def current_trace_id() -> str:
    """The current trace id as 32 hex digits, or an empty string outside a trace."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else ""
