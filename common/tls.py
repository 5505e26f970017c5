"""Mutual TLS on draas's gRPC channels.

One CA signs every draas process's certificate, and each certificate names the process's site
as a DNS subject alternative name (e.g. `site-a`; the common name may name the process). With
TLS configured (`tls_ca_file`, `tls_cert_file`, `tls_key_file`, see common.settings):

- a server serves only mutual TLS: a client must present a certificate the CA signed, and it
  must name this site or one of its peer sites (`Callers`); the standard health check needs the
  certificate only, so tools of any site can check health;
- a client presents its certificate and accepts a server only if the CA signed its certificate
  and it names the site the client expects there: its own site for this site's services, the
  peer's site for a peer (`ClientTls`) — not the host of the address, so the same certificate
  serves behind any address.

Only the files' paths are settings; a key's contents are read when a server or channel is made
and go nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from pydantic import BaseModel, FilePath

from common.errors import PermissionDenied, ServiceUnavailable

# The methods any client with a certificate of the CA may call, whatever site it names.
HEALTH_PREFIX = "/grpc.health.v1.Health/"


class TlsFiles(BaseModel):
    """A process's certificate and key, and the CA that signed the certificates it trusts (PEM
    files)."""

    model_config = {"extra": "forbid", "frozen": True}

    cert_file: FilePath
    key_file: FilePath
    ca_file: FilePath


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ServiceUnavailable(f"cannot read the {what} {path}: {error.strerror}") from None


def server_credentials(files: TlsFiles) -> grpc.ServerCredentials:
    """Serves with the certificate; requires clients to present one the CA signed.

    :raises ServiceUnavailable: a file cannot be read.
    """
    return grpc.ssl_server_credentials(
        [(_read(files.key_file, "TLS key"), _read(files.cert_file, "TLS certificate"))],
        root_certificates=_read(files.ca_file, "TLS CA file"),
        require_client_auth=True,
    )


def channel_credentials(files: TlsFiles) -> grpc.ChannelCredentials:
    """Presents the certificate; trusts servers whose certificate the CA signed.

    :raises ServiceUnavailable: a file cannot be read.
    """
    return grpc.ssl_channel_credentials(
        root_certificates=_read(files.ca_file, "TLS CA file"),
        private_key=_read(files.key_file, "TLS key"),
        certificate_chain=_read(files.cert_file, "TLS certificate"),
    )


@dataclass(frozen=True)
class ClientTls:
    """How a channel to a service of `site` authenticates: with this process's certificate,
    to a server whose certificate names `site`."""

    files: TlsFiles
    site: str

    def credentials(self) -> grpc.ChannelCredentials:
        """:raises ServiceUnavailable: a file cannot be read."""
        return channel_credentials(self.files)

    def options(self) -> list[tuple[str, Any]]:
        """Channel options: the server's certificate is checked against the site's name rather
        than the address's host."""
        return [("grpc.ssl_target_name_override", self.site)]


def over_tls(context: grpc.ServicerContext) -> bool:
    """Whether the call came over TLS (then its client presented a certificate the CA signed)."""
    return context.auth_context().get("transport_security_type") == [b"ssl"]


def certificate_names(context: grpc.ServicerContext) -> set[str]:
    """The names in the client's certificate: common name and subject alternative names."""
    return {
        bytes(name).decode()
        for key in ("x509_common_name", "x509_subject_alternative_name")
        for name in context.auth_context().get(key, [])
    }


@dataclass(frozen=True)
class Callers:
    """Whose certificates may call a server: those naming one of `sites` (this site and its
    peers). `claims` maps a method (`/package.Service/Method`) to the site its request says it
    comes from, which the certificate must name too; methods in `self_checked` check their
    caller themselves (e.g. a stream that names its site in its first message)."""

    sites: frozenset[str]
    claims: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    self_checked: frozenset[str] = frozenset()


class CallerCheck(grpc.ServerInterceptor):
    """Refuses, with PERMISSION_DENIED, a call over TLS whose certificate names none of the
    sites that may call (or not the site its request claims); health checks pass. Goes after
    the error mapping, which turns the refusal into its status."""

    def __init__(self, callers: Callers) -> None:
        self.callers = callers

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if (
            handler is None
            or method.startswith(HEALTH_PREFIX)
            or method in self.callers.self_checked
        ):
            return handler
        claim = self.callers.claims.get(method)
        codec = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                self._checked(handler.unary_unary, claim), **codec
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                self._checked(handler.unary_stream, claim), **codec
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                self._checked(handler.stream_unary, None), **codec
            )
        assert handler.stream_stream is not None
        return grpc.stream_stream_rpc_method_handler(
            self._checked(handler.stream_stream, None), **codec
        )

    def _checked(
        self,
        behavior: Callable[[Any, grpc.ServicerContext], Any],
        claim: Callable[[Any], str] | None,
    ) -> Callable[[Any, grpc.ServicerContext], Any]:
        def call(request: Any, context: grpc.ServicerContext) -> Any:
            self.check(context, claim(request) if claim is not None else "")
            return behavior(request, context)

        return call

    def check(self, context: grpc.ServicerContext, claimed: str = "") -> None:
        """:raises PermissionDenied: the certificate names no site that may call, or not the
        `claimed` one."""
        if not over_tls(context):
            return
        names = certificate_names(context)
        if not names & self.callers.sites:
            raise PermissionDenied(
                "the caller's certificate names none of the sites that may call this service: "
                f"{', '.join(sorted(self.callers.sites))}"
            )
        if claimed and claimed not in names:
            raise PermissionDenied(f"the caller's certificate does not name site {claimed}")
