"""Site-to-site replication of the change log.

Each peer has a sender here: it opens Replicate on the peer's metadata service, says hello,
learns from the first ack how far the peer has applied this site's changes, and sends the rest
in batches, each checked by a SHA-256 and applied by the peer in one transaction; then it
waits for new local changes on the same stream. A broken stream or a refused batch ends the
session; the next one resumes from the peer's ack. Local writes never wait for a peer.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
from opentelemetry.sdk.trace import TracerProvider

from common.errors import InvalidArgument, PermissionDenied, ServiceUnavailable
from common.grpc_client import open_channel
from common.tls import certificate_names, channel_credentials
from draas.metadata.v1 import metadata_pb2 as pb
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata import codec
from services.metadata.settings import MetadataSettings, PeerSettings
from services.metadata.store import SITE_LEVEL, MetadataStore

log = logging.getLogger(__name__)
_END = object()
# How soon a stopping service ends the replication streams it receives.
STOP_CHECK_SECONDS = 0.2
# Pings keep an idle stream open through middleboxes and find a vanished peer; the servers
# accept one every 5 s (common.grpc_server.SERVER_OPTIONS).
KEEPALIVE = [
    ("grpc.keepalive_time_ms", 10_000),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.http2.max_pings_without_data", 0),
]


class Diverged(Exception):
    """The peer has applied more of this site's changes than this site has: its log was lost
    (a database restored from an older backup). Sending more would reuse sequence numbers the
    peer has already applied to other changes, so nothing is sent until an operator repairs it."""

    def __init__(self, peer: str, acked: int, local: int) -> None:
        super().__init__(
            f"{peer} has applied this site's changes up to {acked} but this site's log ends at "
            f"{local}: was this site's database restored from an older backup? Replication to "
            f"{peer} is held until the logs are reconciled"
        )


@dataclass
class PeerState:
    """What a sender knows of its peer, for status."""

    connected: bool = False
    last_error: str = ""


class PeerSender:
    """Sends this site's changes to one peer, for as long as the service runs."""

    def __init__(
        self,
        store: MetadataStore,
        peer: PeerSettings,
        settings: MetadataSettings,
        tracer_provider: TracerProvider,
    ) -> None:
        self.store = store
        self.peer = peer
        self.settings = settings
        self.tracer_provider = tracer_provider
        self.state = PeerState()
        self._stop = threading.Event()
        self._call: grpc.RpcContext | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"replicate-{peer.site}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self.store.changed:
            self.store.changed.notify_all()
        call = self._call
        if call is not None:
            call.cancel()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session()
            except grpc.RpcError as error:
                if not self._stop.is_set():
                    self._fail(f"{error.code().name}: {error.details()}")
            except Diverged as error:
                self._fail(str(error))
            except Exception as error:
                # Status shows the kind only: driver messages can carry entity bodies.
                self._fail(f"internal error ({type(error).__name__}); see the service log", error)
            self._stop.wait(self.settings.reconnect_delay_seconds)

    def _fail(self, reason: str, error: Exception | None = None) -> None:
        # Once per distinct reason: a peer that stays down is not news at every retry.
        repeated = reason == self.state.last_error
        self.state.connected, self.state.last_error = False, reason
        if repeated:
            log.debug("replication to %s interrupted: %s", self.peer.site, reason)
        elif error is not None:
            log.error("replication to %s failed: %s", self.peer.site, reason, exc_info=error)
        else:
            log.warning("replication to %s interrupted: %s", self.peer.site, reason)

    def _channel(self) -> grpc.Channel:
        tls = self.settings.tls
        if tls is None:
            # With the site's TLS files, the peer's certificate must name the peer's site.
            return open_channel(
                self.peer.address,
                self.tracer_provider,
                options=KEEPALIVE,
                tls=self.settings.client_tls(self.peer.site),
            )
        return open_channel(
            self.peer.address,
            self.tracer_provider,
            credentials=channel_credentials(tls),
            options=KEEPALIVE,
        )

    def _session(self) -> None:
        outgoing: queue.Queue[object] = queue.Queue()
        with self._channel() as channel:
            stub = metadata_pb2_grpc.MetadataServiceStub(channel)
            self._call = call = stub.Replicate(_drain(outgoing))
            try:
                outgoing.put(
                    pb.ReplicationMessage(hello=pb.ReplicationHello(origin_site=self.store.site))
                )
                acked = next(call).last_applied_sequence
                local = self.store.local_sequence()
                if acked > local:
                    raise Diverged(self.peer.site, acked, local)
                self.store.acknowledge(self.peer.site, acked)
                self.state.connected, self.state.last_error = True, ""
                while not self._stop.is_set():
                    changes = self.store.changes_after(
                        self.store.site, acked, self.settings.batch_size
                    )
                    if not changes:
                        self._wait_for_changes(acked)
                        if not call.is_active():
                            # The peer ended the stream while this site had nothing to send
                            # (e.g. it is stopping): its status says why.
                            next(call)
                        continue
                    messages = [codec.change_message(c) for c in changes]
                    batch = pb.ReplicationBatch(changes=messages, checksum=codec.checksum(messages))
                    outgoing.put(pb.ReplicationMessage(batch=batch))
                    acked = next(call).last_applied_sequence
                    self.store.acknowledge(self.peer.site, acked)
            finally:
                outgoing.put(_END)
                call.cancel()
                self._call = None

    def _wait_for_changes(self, acked: int) -> None:
        with self.store.changed:
            if self.store.local_sequence() <= acked and not self._stop.is_set():
                self.store.changed.wait(self.settings.idle_poll_seconds)


def _drain(outgoing: queue.Queue[object]) -> Iterator[pb.ReplicationMessage]:
    while True:
        message = outgoing.get()
        if message is _END:
            return
        yield message  # type: ignore[misc]


def receive(
    store: MetadataStore,
    settings: MetadataSettings,
    messages: Iterator[pb.ReplicationMessage],
    context: grpc.ServicerContext,
    stopping: threading.Event,
) -> Iterator[pb.ReplicationAck]:
    """The peer side of Replicate: acks the hello with what it has applied, then applies each
    batch after checking its checksum, until the peer ends the stream or `stopping` is set.

    :raises PermissionDenied: for a site that is not a configured peer, or (with mutual TLS)
        whose certificate does not name it.
    :raises InvalidArgument: for a batch before the hello, a bad checksum, a change from
        another site, a site-level entity of another site's cloud, or a gap (the sender resumes
        from the ack).
    :raises ServiceUnavailable: once `stopping` is set (the sender retries, and resumes from
        the ack).
    """
    origin = ""
    for message in _until_cancelled(messages, context, stopping):
        if message.HasField("hello"):
            origin = message.hello.origin_site
            _check_origin(origin, settings, context)
            yield pb.ReplicationAck(last_applied_sequence=store.applied(origin))
            continue
        if not origin:
            raise InvalidArgument("hello", "must come before any batch")
        batch = message.batch
        if codec.checksum(batch.changes) != batch.checksum:
            raise InvalidArgument("batch.checksum", "does not match the changes")
        changes = [codec.change_from(c, f"batch.changes[{i}]") for i, c in enumerate(batch.changes)]
        for index, change in enumerate(changes):
            if change.origin_site != origin:
                raise InvalidArgument(
                    f"batch.changes[{index}].origin_site", f"must be {origin}, the hello's site"
                )
            if change.entity.owner_site != origin:
                raise InvalidArgument(
                    f"batch.changes[{index}].entity.owner_site",
                    f"must be {origin}: a site sends only changes it made as the owner",
                )
            if change.entity.project_id == SITE_LEVEL and change.entity.key.site != origin:
                raise InvalidArgument(
                    f"batch.changes[{index}].entity.project_id",
                    f"is required: only {change.entity.key.site} files its cloud's resources "
                    "under no project (site-level)",
                )
        yield pb.ReplicationAck(last_applied_sequence=store.apply(origin, changes))


def _until_cancelled(
    messages: Iterator[pb.ReplicationMessage],
    context: grpc.ServicerContext,
    stopping: threading.Event,
) -> Iterator[pb.ReplicationMessage]:
    """The peer's messages; a peer that cancels or goes away ends the stream, not in error.
    They are read by a thread of their own so that a stopping service need not wait for an
    idle peer's next message."""
    inbox: queue.Queue[object] = queue.Queue()

    def read() -> None:
        try:
            for message in messages:
                inbox.put(message)
        except grpc.RpcError as error:
            inbox.put(error)
        finally:
            inbox.put(_END)

    threading.Thread(target=read, name="replication-receive", daemon=True).start()
    while not stopping.is_set():
        try:
            item = inbox.get(timeout=STOP_CHECK_SECONDS)
        except queue.Empty:
            continue
        if item is _END:
            return
        if isinstance(item, grpc.RpcError):
            if context.is_active():
                raise item
            log.info("a replication stream ended: the sending peer closed it")
            return
        yield item  # type: ignore[misc]
    raise ServiceUnavailable("this metadata service is stopping; replicate to it again later")


def _check_origin(origin: str, settings: MetadataSettings, context: grpc.ServicerContext) -> None:
    peers = {p.site for p in settings.peers}
    if not origin:
        raise InvalidArgument("hello.origin_site", "is required")
    if origin == settings.site:
        raise InvalidArgument(
            "hello.origin_site", f"{origin} is this site; a site does not replicate to itself"
        )
    if origin not in peers:
        raise PermissionDenied(f"site {origin} is not a peer of site {settings.site}")
    tls = settings.tls is not None or settings.grpc_tls() is not None
    if tls and origin not in certificate_names(context):
        raise PermissionDenied(f"the peer's certificate does not name site {origin}")


def lag(store: MetadataStore, peer: str) -> tuple[int, int, float]:
    """(acknowledged sequence, changes behind, seconds behind) of a peer."""
    acked = store.acknowledged(peer)
    behind = max(0, store.local_sequence() - acked)
    oldest = store.change_time(acked + 1) if behind else None
    seconds = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
    return acked, behind, max(0.0, seconds)
