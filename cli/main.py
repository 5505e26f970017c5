"""Entry point of the `draas` console script."""

from __future__ import annotations

from common.unbuilt import refuse


def main() -> int:
    """Runs the draas command line."""
    return refuse("The draas command line", "planned: tenant gateway, CLI and two-site demo")
