"""The engine's workers: claim units, run their chains, keep their leases, undo on failure.

One Engine per process: a dispatcher thread claims units at the tier their operation works on
while worker threads are free; a heartbeat thread renews the leases of the units this process
holds; each unit runs its steps in order in one worker thread, each step inside the semaphore
of the backend API it loads. Anything another process may have to take over is in the store
before the next step starts. Each step attempt and each operation's end are recorded in the
metrics (common.metrics).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from common.errors import DraasError, InternalError, ServiceUnreachable
from common.metrics import OPERATION_DURATION, OPERATION_RTO, OPERATIONS, STEP_DURATION
from services.orchestrator.engine.plan import OperationState, UnitState
from services.orchestrator.engine.progress import now
from services.orchestrator.engine.steps import LeaseLost, Registry, Step, StepContext
from services.orchestrator.engine.store import Claim, EngineStore, OperationEnd

log = logging.getLogger(__name__)
T = TypeVar("T")


class Stopping(Exception):
    """The engine is stopping: leave the unit for another worker."""


@dataclass
class EngineSettings:
    """How hard one process works: threads, leases, and per-backend-API limits."""

    worker_threads: int = 32
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    retry_delay_seconds: float = 1.0
    limits: dict[str, int] = field(default_factory=dict)
    # How long a step (or its revert) waits for a draas service that does not answer at all
    # (restarting, say) before that counts as a failed attempt.
    unreachable_wait_seconds: float = 300.0
    unreachable_backoff_max_seconds: float = 2.0


def owner_name() -> str:
    """This process's name as a unit owner: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class _Slot:
    """A held slot of a backend API's limit (or of none), released once."""

    def __init__(self, limit: threading.BoundedSemaphore | None) -> None:
        self._limit = limit

    def release(self) -> None:
        if self._limit is not None:
            limit, self._limit = self._limit, None
            limit.release()


@dataclass(frozen=True)
class _Started:
    """A step whose start was recorded ahead, holding its backend's slot."""

    slot: _Slot
    attempt_id: int


class Engine:
    """Runs the units of every active operation it can claim, until stopped."""

    def __init__(
        self,
        store: EngineStore,
        registry: Registry,
        settings: EngineSettings,
        tracer_provider: TracerProvider,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.settings = settings
        self.owner = owner or owner_name()
        self._tracer: Tracer = tracer_provider.get_tracer("draas.orchestrator.engine")
        self._limits = {
            name: threading.BoundedSemaphore(limit) for name, limit in settings.limits.items()
        }
        self._pool = ThreadPoolExecutor(
            max_workers=settings.worker_threads, thread_name_prefix=f"engine-{self.owner}"
        )
        self._held: set[str] = set()
        self._lost: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._dispatch, name="engine-dispatch", daemon=True),
            threading.Thread(target=self._heartbeat, name="engine-heartbeat", daemon=True),
        ]

    def start(self) -> Engine:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stops claiming and waits for the units under way to end their current step; each
        is handed back then, for another worker to go on with at once."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join()
        self._pool.shutdown(wait=True)

    def wake(self) -> None:
        """Looks for work now (after a new operation, say) rather than at the next poll."""
        self._wake.set()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._held)

    # Dispatch and leases -------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self._claim_some()
            except Exception:
                log.exception("the engine could not look for work; trying again")
            self._wake.wait(self.settings.poll_seconds)

    def _claim_some(self) -> None:
        free = self.settings.worker_threads - self.busy
        if free <= 0:
            return
        for unit_id in self.store.claimable(free * 2):
            if self._stop.is_set() or self.busy >= self.settings.worker_threads:
                return
            with self._lock:
                if unit_id in self._held:
                    continue
            claim = self.store.claim(unit_id, self.owner, self.settings.lease_seconds)
            if claim is None:
                continue
            with self._lock:
                self._held.add(unit_id)
                self._lost.discard(unit_id)
            self._pool.submit(self._run, claim)

    def _heartbeat(self) -> None:
        interval = self.settings.lease_seconds / 3
        while not self._stop.wait(interval):
            with self._lock:
                held = set(self._held)
            try:
                owned = self.store.renew(self.owner, held, self.settings.lease_seconds)
            except Exception:
                log.exception("the engine could not renew its leases; trying again")
                continue
            lost = self.store.lost(held - owned, self.owner)
            if lost:
                with self._lock:
                    self._lost |= lost & self._held
                log.warning("leases lost to other workers: %s", ", ".join(sorted(lost)))

    def _check_owned(self, unit_id: str) -> None:
        with self._lock:
            if unit_id in self._lost:
                raise LeaseLost(f"unit {unit_id} was taken over by another worker")

    # Running a unit ------------------------------------------------------------------------------

    def _run(self, claim: Claim) -> None:
        try:
            with self._traced(claim):
                if claim.state == UnitState.REVERTING or (
                    claim.operation_state == OperationState.COMPENSATING
                ):
                    self._revert(claim, claim.error)
                else:
                    self._forward(claim)
        except Stopping:
            self.store.release(claim.unit.id, self.owner)
            log.info("handed %s back: this engine is stopping", claim.unit.key)
        except LeaseLost as lost:
            log.warning("stopped %s: %s", claim.unit.key, lost)
        except Exception:
            log.exception("unit %s of operation %s broke", claim.unit.key, claim.operation.id)
        finally:
            with self._lock:
                self._held.discard(claim.unit.id)
                self._lost.discard(claim.unit.id)
            self._wake.set()

    def _forward(self, claim: Claim) -> None:
        done = {step.name for step in claim.done}
        outputs = dict(claim.outputs)
        pending = [self.registry[name] for name in claim.steps if name not in done]
        started: _Started | None = None
        for index, step in enumerate(pending):
            # A step whose start is recorded already runs: that is the step a stop waits for.
            if self._stop.is_set() and started is None:
                raise Stopping
            following = pending[index + 1] if index + 1 < len(pending) else None
            ctx = self._context(claim, outputs)
            error, produced, state, started = self._execute(claim, step, ctx, started, following)
            if error is not None:
                self._revert(claim, error)
                return
            outputs.update(produced)
            if state == OperationState.COMPENSATING:
                self._revert(claim, None)
                return
        _ended(self.store.finish_unit(claim.unit.id, self.owner, UnitState.SUCCEEDED))

    def _execute(
        self,
        claim: Claim,
        step: Step,
        ctx: StepContext,
        started: _Started | None,
        following: Step | None,
    ) -> tuple[str | None, dict[str, Any], str, _Started | None]:
        """Runs a step, retrying retryable errors; returns (error, outputs, operation state,
        the following step when its start was recorded with this one's success). A step
        `started` already holds its backend's slot. A database error propagates: like a crash,
        the lease runs out and a worker resumes."""
        for attempt in range(1, step.attempts + 1):
            error: DraasError | None = None
            with self._span(f"step {step.name}"):
                slot, attempt_id = self._begin(claim, step, started)
                started = None
                try:
                    with _metered(step, "execute"):
                        produced = self._patiently(claim, step, lambda: step.execute(ctx))
                    ended_at = now()
                except (LeaseLost, Stopping):
                    raise
                except DraasError as failure:
                    error = failure
                except Exception as failure:
                    log.exception("step %s of %s broke", step.name, claim.unit.key)
                    error = InternalError(
                        f"internal error in step {step.name} ({type(failure).__name__})"
                    )
                finally:
                    slot.release()
            if error is not None:
                self.store.fail_step(claim.unit.id, self.owner, attempt_id, str(error))
                # A service that stayed away was waited for already: that was the retrying.
                patient = isinstance(error, ServiceUnreachable)
                if error.retryable and not patient and attempt < step.attempts:
                    time.sleep(self.settings.retry_delay_seconds * attempt)
                    continue
                return str(error), {}, "", None
            self._check_owned(claim.unit.id)
            state, following_started = self._finish(
                claim, attempt_id, produced, following, ended_at
            )
            return None, produced, state, following_started
        raise AssertionError("unreachable: the last attempt returns")

    def _begin(self, claim: Claim, step: Step, started: _Started | None) -> tuple[_Slot, int]:
        """The step's backend slot and attempt: those recorded ahead, or taken and recorded now
        (once it holds its slot: its timing is its own work)."""
        slot = started.slot if started is not None else None
        try:
            self._check_owned(claim.unit.id)
            if started is not None:
                return started.slot, started.attempt_id
            slot = self._take_slot(step)
            attempt_id, _ = self.store.start_step(claim.unit.id, self.owner, step.name)
            return slot, attempt_id
        except BaseException:
            if slot is not None:
                slot.release()
            raise

    def _finish(
        self,
        claim: Claim,
        attempt_id: int,
        produced: dict[str, Any],
        following: Step | None,
        ended_at: datetime,
    ) -> tuple[str, _Started | None]:
        """Records a step's success (it ended at `ended_at`) and, in the same write, the start
        of the following step when its backend has a slot free now (one write per step rather
        than two)."""
        slot = None
        if following is not None and not self._stop.is_set():
            slot = self._free_slot(following)
        if following is None or slot is None:
            state, _ = self.store.finish_step(
                claim.unit.id, self.owner, attempt_id, produced, ended_at=ended_at
            )
            return state, None
        try:
            state, next_attempt = self.store.finish_step(
                claim.unit.id, self.owner, attempt_id, produced, following.name, ended_at
            )
        except BaseException:
            slot.release()
            raise
        if next_attempt is None or state != OperationState.RUNNING:
            # Aborted as this write went in: the step recorded as started is undone unrun.
            slot.release()
            return state, None
        return state, _Started(slot, next_attempt)

    def _revert(self, claim: Claim, error: str | None) -> None:
        """Undoes the unit's steps, newest first (the one that failed, or that a dead worker left
        running, with no outputs), then ends it: failed when it failed itself (`error`),
        compensated when the operation was aborted."""
        self.store.begin_revert(claim.unit.id, self.owner, error)
        refreshed = self.store.claim_view(claim.unit.id, self.owner)
        undo = list(reversed(refreshed.done))
        if refreshed.unfinished is not None:
            undo.insert(0, refreshed.unfinished)
        for done in undo:
            step = self.registry[done.name]
            ctx = self._context(refreshed, refreshed.outputs)
            problem = None
            for attempt in range(1, step.attempts + 1):
                self._check_owned(claim.unit.id)
                try:
                    with (
                        self._span(f"revert {step.name}"),
                        self._limited(step),
                        _metered(step, "revert"),
                    ):
                        self._patiently(
                            claim,
                            step,
                            lambda: step.revert(ctx, done.outputs),  # noqa: B023
                        )
                    problem = None
                    break
                except (LeaseLost, Stopping):
                    raise
                except DraasError as failure:
                    problem = str(failure)
                    if failure.retryable and attempt < step.attempts:
                        time.sleep(self.settings.retry_delay_seconds * attempt)
                        continue
                    break
                except Exception as failure:
                    log.exception("revert of %s of %s broke", step.name, claim.unit.key)
                    problem = f"internal error ({type(failure).__name__})"
                    break
            self.store.step_reverted(claim.unit.id, self.owner, done.attempt_id, problem)
        failed = error is not None or refreshed.error is not None
        _ended(
            self.store.finish_unit(
                claim.unit.id,
                self.owner,
                UnitState.FAILED if failed else UnitState.COMPENSATED,
            )
        )

    def _patiently(self, claim: Claim, step: Step, action: Callable[[], T]) -> T:
        """Runs `action` (a step's execute or revert, both repeatable), again and again while
        a draas service it calls does not answer at all, with a growing pause, for up to
        `unreachable_wait_seconds`; any other outcome is the action's.

        :raises Stopping: the engine stops while it waits (the unit is resumed elsewhere).
        """
        deadline = time.monotonic() + self.settings.unreachable_wait_seconds
        pause = 0.1
        while True:
            try:
                return action()
            except ServiceUnreachable as error:
                if time.monotonic() + pause > deadline:
                    raise
                if pause == 0.1:
                    log.warning(
                        "%s of %s waits for a service that does not answer: %s",
                        step.name,
                        claim.unit.key,
                        error,
                    )
                if self._stop.wait(pause):
                    raise Stopping from None
                self._check_owned(claim.unit.id)
                pause = min(pause * 2, self.settings.unreachable_backoff_max_seconds)

    def _context(self, claim: Claim, outputs: dict[str, Any]) -> StepContext:
        return StepContext(
            operation=claim.operation,
            unit=claim.unit,
            shared=claim.shared,
            outputs=dict(outputs),
            check_owned=lambda: self._check_owned(claim.unit.id),
            units=lambda: self.store.units(claim.operation.id),
            deliver=lambda inputs: self.store.deliver(claim.unit.id, self.owner, inputs),
        )

    @contextmanager
    def _limited(self, step: Step) -> Iterator[None]:
        slot = self._take_slot(step)
        try:
            yield
        finally:
            slot.release()

    def _take_slot(self, step: Step) -> _Slot:
        """A slot of the step's backend API, waiting for one; any step on no limited API."""
        limit = self._limits.get(step.resource or "")
        if limit is not None:
            limit.acquire()
        return _Slot(limit)

    def _free_slot(self, step: Step) -> _Slot | None:
        """A slot of the step's backend API if one is free now."""
        limit = self._limits.get(step.resource or "")
        if limit is not None and not limit.acquire(blocking=False):
            return None
        return _Slot(limit)

    @contextmanager
    def _traced(self, claim: Claim) -> Iterator[None]:
        """Joins the operation's trace, whichever worker runs the unit and however late."""
        parent = (
            TraceContextTextMapPropagator().extract({"traceparent": claim.traceparent})
            if claim.traceparent
            else None
        )
        token = otel_context.attach(parent) if parent is not None else None
        try:
            with self._span(f"{claim.unit.role} {claim.unit.name or claim.unit.key}"):
                yield
        finally:
            if token is not None:
                otel_context.detach(token)

    @contextmanager
    def _span(self, name: str) -> Iterator[None]:
        with self._tracer.start_as_current_span(name):
            yield


@contextmanager
def _metered(step: Step, action: str) -> Iterator[None]:
    """Times one attempt of a step's execute or revert: failed when it raises, unless it was
    only interrupted (the engine stopping, the lease lost), which is not recorded."""
    started = time.perf_counter()
    result = "failed"
    try:
        yield
        result = "succeeded"
    except (LeaseLost, Stopping):
        result = ""
        raise
    finally:
        if result:
            STEP_DURATION.labels(step.name, step.resource or "none", action, result).observe(
                time.perf_counter() - started
            )


def _ended(end: OperationEnd | None) -> None:
    """Records an operation that ended (its transaction committed)."""
    if end is None:
        return
    OPERATIONS.labels(end.kind, end.state).inc()
    OPERATION_DURATION.labels(end.kind, end.state).observe(end.seconds)
    if end.rto_seconds is not None:
        OPERATION_RTO.labels(end.kind, end.state).observe(end.rto_seconds)
