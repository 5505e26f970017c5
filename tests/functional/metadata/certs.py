"""The throwaway certificate authority of the mutual-TLS tests (tools.certificates):
certificates name their site in the common name and in a DNS subject alternative name, and
127.0.0.1 as an IP address."""

from __future__ import annotations

from tools.certificates import Authority

__all__ = ["Authority"]
