"""Ending a py-pure-client session while its array still answers.

py-pure-client logs a session out only when its client is collected or at interpreter exit;
by then a process that stops its arrays (a test, the lab, a benchmark) has nothing to answer,
and urllib3 retries each logout with a warning. py-pure-client has no public call for it: the
client's token manager does it (`close_session`, which forgets the session token), tried once
here (urllib3 would retry a logout from a stopped array three times, a warning each).
"""

from __future__ import annotations

import contextlib
from typing import Any


def log_out(client: Any) -> None:
    """Logs the client's REST session out now; never raises (the array may be gone)."""
    manager: Any = getattr(client, "_token_man", None)
    configuration = getattr(manager, "_configuration", None)
    if configuration is not None:
        configuration.retries = 0  # one try: the array may be gone by now
    close_session = getattr(manager, "close_session", None)
    if close_session is not None:
        with contextlib.suppress(Exception):
            close_session()
