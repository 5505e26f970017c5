"""Option types whose refusals say what was expected in the user's terms."""

from __future__ import annotations

import math
from typing import Any

import click


class Seconds(click.ParamType):
    """A number of seconds, at least 0 (more than 0 when `positive`)."""

    name = "seconds"

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if number < 0 or (self.positive and number == 0):
            least = "more than 0" if self.positive else "0 or more"
            self.fail(f"must be {least} seconds, not {value}", param, ctx)
        return number


SECONDS = Seconds()
POSITIVE_SECONDS = Seconds(positive=True)
