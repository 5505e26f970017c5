"""What a command that is not built yet does: say so, and fail."""

from __future__ import annotations

import sys

EXIT_UNIMPLEMENTED = 3


def refuse(what: str, planned: str) -> int:
    """Prints that `what` is not built yet and where it is planned; returns the exit code."""
    print(f"{what} is not built yet in this draas release ({planned}).", file=sys.stderr)
    return EXIT_UNIMPLEMENTED
