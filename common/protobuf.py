"""Protobuf well-known types from plain Python values, as every service and the gateway need
them."""

from __future__ import annotations

from google.protobuf.duration_pb2 import Duration


def duration(seconds: float) -> Duration:
    """A Duration of `seconds` (to the nanosecond)."""
    made = Duration()
    made.FromNanoseconds(int(seconds * 1e9))
    return made
