"""One FlashArray through py-pure-client: logs in on first use, retries what may pass, and turns
every failure into an error that names the array and the object.

py-pure-client returns an ErrorResponse rather than raising for refused calls, raises urllib3
errors when the array is unreachable, and PureError when login fails; all three end here. Each
call (and login) is recorded in the backend metrics (common.metrics) as api "flasharray".
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opentelemetry.trace import Tracer
from pypureclient import flasharray
from pypureclient.configuration import Configuration
from pypureclient.exceptions import PureError
from urllib3.exceptions import HTTPError as TransportError

from common.errors import InvalidArgument
from common.flasharray_session import log_out
from common.logs import mask
from common.metrics import BackendError, record_backend_request
from services.storage.errors import (
    ArrayBusy,
    ArrayCredentialsRefused,
    ArrayObjectMissing,
    ArrayRefused,
    ArrayUnreachable,
)
from services.storage.settings import ArraySettings, StorageSettings

log = logging.getLogger(__name__)

_MISSING = re.compile(r"^(?P<kind>[\w -]+?) does not exist", re.IGNORECASE)
USER_AGENT = "draas-storage/0.1"


@dataclass(frozen=True)
class CallPolicy:
    connect_timeout: float
    read_timeout: float
    attempts: int
    base_delay: float

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> CallPolicy:
        return cls(
            settings.connect_timeout_seconds,
            settings.request_timeout_seconds,
            settings.retry_attempts,
            settings.retry_base_delay_seconds,
        )


class ArrayClient:
    """Calls one array. Thread-safe; the session is shared."""

    def __init__(self, settings: ArraySettings, policy: CallPolicy, tracer: Tracer) -> None:
        self.name = settings.name
        self.address = settings.address
        self._settings = settings
        self._policy = policy
        self._tracer = tracer
        self._client: Any = None
        self._identity: Any = None
        self._lock = threading.Lock()

    def array_name(self) -> str:
        """The name the array gives itself (which its peers use in replica names); asked once."""
        if self._identity is None:
            self.describe()
        return str(self._identity.name)

    def describe(self) -> Any:
        """Asks the array about itself now: a live check that it answers.

        :raises ArrayUnreachable, ArrayBusy, ArrayCredentialsRefused: when it does not.
        """
        arrays = self.call("get_arrays")
        if not arrays:
            raise ArrayRefused(self.name, "it did not describe itself")
        if arrays[0].name != self.name and self._identity is None:
            log.warning(
                "array configured as %s calls itself %s; its replicas on other arrays carry "
                "the name %s, so configure it by that name",
                self.name,
                arrays[0].name,
                arrays[0].name,
            )
        self._identity = arrays[0]
        return self._identity

    def known_name(self) -> str:
        """The array's own name if it has answered before, else its configured name; never
        calls it (a dead source array must not slow down a failover at the target)."""
        return str(self._identity.name) if self._identity is not None else self.name

    def call(self, method: str, tolerate: Iterable[str] = (), **kwargs: Any) -> list[Any]:
        """Calls an SDK method; returns its items (all pages).

        :param tolerate: message fragments of refusals that mean "already as wanted"; such a
            refusal returns [] instead of raising.
        :raises ArrayUnreachable, ArrayBusy: after the retries.
        :raises ArrayCredentialsRefused, ArrayObjectMissing, ArrayRefused: at once.
        """
        with self._tracer.start_as_current_span(
            f"flasharray {method}", attributes={"draas.array": self.name}
        ):
            for attempt in range(1, self._policy.attempts + 1):
                try:
                    return self._call_once(method, tuple(tolerate), kwargs)
                except (ArrayUnreachable, ArrayBusy) as error:
                    if attempt == self._policy.attempts:
                        raise
                    delay = self._policy.base_delay * 2 ** (attempt - 1)
                    log.warning("%s; retrying in %.1f s", error, delay)
                    time.sleep(delay)
        raise AssertionError("unreachable")

    def _call_once(
        self, method: str, tolerate: tuple[str, ...], kwargs: dict[str, Any]
    ) -> list[Any]:
        client = self._session()
        started = time.perf_counter()
        try:
            response = getattr(client, method)(**kwargs)
            if response.status_code < 400:
                items = list(getattr(response, "items", None) or [])
                _record(method, started, None)
                return items
        except (TransportError, OSError) as error:
            _record(method, started, BackendError.UNREACHABLE)
            self._forget(client)
            raise ArrayUnreachable(self.name, _short(error)) from None
        except PureError as error:
            _record(method, started, BackendError.SERVER_ERROR)
            raise ArrayBusy(self.name, 0, mask(str(error))) from None
        _record(method, started, BackendError.of_status(response.status_code))
        return self._refusal(response, tolerate)

    def _refusal(self, response: Any, tolerate: tuple[str, ...]) -> list[Any]:
        status = response.status_code
        errors = getattr(response, "errors", None) or []
        message = mask(getattr(errors[0], "message", "") or "") if errors else ""
        context = getattr(errors[0], "context", "") or "" if errors else ""
        if status == 401:
            self._forget(self._client)
            raise ArrayCredentialsRefused(self.name)
        if status >= 500 or status == 429:
            raise ArrayBusy(self.name, status, message or "no details")
        if any(fragment in message for fragment in tolerate):
            return []
        missing = _MISSING.match(message)
        if missing or "No such volume or snapshot" in message:
            kind = missing["kind"].lower() if missing else "volume or snapshot"
            raise ArrayObjectMissing(self.name, kind, context or "?")
        raise ArrayRefused(self.name, message or f"status {status}", context)

    def _session(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._login()
            return self._client

    def _forget(self, client: Any) -> None:
        with self._lock:
            if self._client is client:
                self._client = None

    def _login(self) -> Any:
        configuration = Configuration()
        if self._settings.ca_file is not None:
            configuration.ssl_ca_cert = str(self._settings.ca_file)
        started = time.perf_counter()
        try:
            client = flasharray.Client(
                target=self._settings.address,
                api_token=self._settings.api_token.get_secret_value(),
                verify_ssl=self._settings.verify_tls,
                configuration=configuration,
                timeout=(self._policy.connect_timeout, self._policy.read_timeout),
                retries=1,
                user_agent=USER_AGENT,
            )
        except PureError as error:
            text = str(error)
            if "session token" in text and ("(401)" in text or "(403)" in text):
                _record("login", started, BackendError.UNAUTHORIZED)
                raise ArrayCredentialsRefused(self.name) from None
            _record("login", started, BackendError.UNREACHABLE)
            raise ArrayUnreachable(self.name, mask(_short(error))) from None
        except (TransportError, OSError) as error:
            _record("login", started, BackendError.UNREACHABLE)
            raise ArrayUnreachable(self.name, _short(error)) from None
        _record("login", started, None)
        return client

    def close(self) -> None:
        """Logs out of the array (while it still answers) and forgets the session."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            log_out(client)


def _record(operation: str, started: float, error: str | None) -> None:
    record_backend_request("flasharray", operation, time.perf_counter() - started, error)


def _short(error: BaseException) -> str:
    text = str(getattr(error, "reason", None) or error)
    return mask(text.splitlines()[0][:300]) if text else type(error).__name__


class ArrayRegistry:
    """The arrays this site's storage service knows, by name."""

    def __init__(self, settings: StorageSettings, tracer: Tracer) -> None:
        policy = CallPolicy.from_settings(settings)
        self._arrays = {a.name: ArrayClient(a, policy, tracer) for a in settings.arrays}

    def get(self, name: str, field: str) -> ArrayClient:
        """:raises InvalidArgument: naming the request field, when no such array is configured."""
        try:
            return self._arrays[name]
        except KeyError:
            known = ", ".join(sorted(self._arrays)) or "none"
            raise InvalidArgument(
                field, f"no array named '{name}' is configured for this site (known: {known})"
            ) from None

    def all(self) -> list[ArrayClient]:
        return list(self._arrays.values())

    def close(self) -> None:
        for array in self._arrays.values():
            array.close()
