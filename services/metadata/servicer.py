"""The metadata service's gRPC surface: protobuf in, the store, protobuf out."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from common.errors import InvalidArgument
from common.grpc_server import answers_unimplemented
from draas.metadata.v1 import metadata_pb2 as pb
from draas.metadata.v1 import metadata_pb2_grpc
from services.metadata import codec, replication
from services.metadata.bundle import recovery_bundle
from services.metadata.capture import Capturer
from services.metadata.replication import PeerSender
from services.metadata.settings import MetadataSettings
from services.metadata.store import SITE_LEVEL, MetadataStore, Write

SERVICE = pb.DESCRIPTOR.services_by_name["MetadataService"]
DEFAULT_PAGE, MAX_PAGE = 100, 1000


def _project(value: str) -> str:
    return codec.text(value, "project_id", codec.PROJECT_LENGTH)


def _group(value: str, required: bool = True) -> str:
    return codec.text(value, "group_id", codec.GROUP_LENGTH, required)


def _page(size: int, token: str) -> tuple[int, int]:
    if size < 0 or size > MAX_PAGE:
        raise InvalidArgument("page.page_size", f"must be 0 to {MAX_PAGE}")
    if token and not (token.isascii() and token.isdigit()):
        raise InvalidArgument("page.page_token", "is not a token this service gave")
    return int(token or 0), size or DEFAULT_PAGE


def _as_of(request: pb.ListEntitiesRequest | pb.GetRecoveryBundleRequest) -> datetime | None:
    return codec.moment_from(request.as_of, "as_of") if request.HasField("as_of") else None


@answers_unimplemented(SERVICE)
class MetadataServicer(metadata_pb2_grpc.MetadataServiceServicer):
    """draas.metadata.v1.MetadataService."""

    def __init__(
        self,
        store: MetadataStore,
        capturer: Capturer,
        senders: dict[str, PeerSender],
        settings: MetadataSettings,
    ) -> None:
        self._store = store
        self._capturer = capturer
        self._senders = senders
        self._settings = settings
        self._stopping = threading.Event()

    def end_streams(self) -> None:
        """Ends the peers' replication streams: the service is stopping (they reconnect to it,
        or to its successor, and resume from its ack)."""
        self._stopping.set()

    def CaptureProject(
        self, request: pb.CaptureProjectRequest, context: grpc.ServicerContext
    ) -> pb.CaptureProjectResponse:
        servers = [
            codec.text(s, f"server_ids[{i}]", codec.ID_LENGTH)
            for i, s in enumerate(request.server_ids)
        ]
        counts = self._capturer.capture(_project(request.project_id), servers)
        now = Timestamp()
        now.GetCurrentTime()
        return pb.CaptureProjectResponse(
            created=counts.created,
            updated=counts.updated,
            deleted=counts.deleted,
            unchanged=counts.unchanged,
            captured_at=now,
        )

    def PutEntities(
        self, request: pb.PutEntitiesRequest, context: grpc.ServicerContext
    ) -> pb.PutEntitiesResponse:
        if not request.entities:
            raise InvalidArgument("entities", "name at least one entity")
        writes = []
        for index, entity in enumerate(request.entities):
            field = f"entities[{index}]"
            key = codec.key_from(entity.key, f"{field}.key")
            if entity.owner_site not in ("", self._store.site):
                raise InvalidArgument(
                    f"{field}.owner_site", f"must be {self._store.site} (or empty)"
                )
            writes.append(
                Write(
                    key,
                    codec.text(entity.project_id, f"{field}.project_id", codec.PROJECT_LENGTH),
                    codec.text(
                        entity.group_id, f"{field}.group_id", codec.GROUP_LENGTH, required=False
                    ),
                    codec.body_from(entity.body, f"{field}.body"),
                    entity.deleted,
                    entity.version or None,
                    field,
                )
            )
        stored = self._store.put(writes)
        return pb.PutEntitiesResponse(entities=[codec.entity_message(e) for e in stored])

    def GetEntity(self, request: pb.GetEntityRequest, context: grpc.ServicerContext) -> pb.Entity:
        return codec.entity_message(self._store.get(codec.key_from(request.key, "key")))

    def ListEntities(
        self, request: pb.ListEntitiesRequest, context: grpc.ServicerContext
    ) -> pb.ListEntitiesResponse:
        offset, size = _page(request.page.page_size, request.page.page_token)
        kinds = {codec.kind_name(k, f"kinds[{i}]") for i, k in enumerate(request.kinds)} or None
        if request.site_level and request.all_projects:
            raise InvalidArgument("site_level", "cannot go with all_projects, which includes it")
        if request.site_level:
            project: str | None = SITE_LEVEL
        elif request.all_projects:
            project = None
        else:
            project = _project(request.project_id)
        found = self._store.entities(
            project,
            kinds,
            _group(request.group_id, required=False),
            request.include_deleted,
            _as_of(request),
        )
        chunk = found[offset : offset + size]
        following = str(offset + size) if offset + size < len(found) else ""
        return pb.ListEntitiesResponse(
            entities=[codec.entity_message(e) for e in chunk], next_page_token=following
        )

    def GetRecoveryBundle(
        self, request: pb.GetRecoveryBundleRequest, context: grpc.ServicerContext
    ) -> pb.RecoveryBundle:
        as_of = _as_of(request)
        asked_at = Timestamp()
        asked_at.GetCurrentTime()
        group, entities, applied = recovery_bundle(
            self._store, _project(request.project_id), _group(request.group_id), as_of
        )
        bundle = pb.RecoveryBundle(
            group=codec.entity_message(group),
            entities=[codec.entity_message(e) for e in entities],
            applied_sequence=applied,
        )
        bundle.as_of.CopyFrom(request.as_of if as_of is not None else asked_at)
        return bundle

    def TransferOwnership(
        self, request: pb.TransferOwnershipRequest, context: grpc.ServicerContext
    ) -> pb.TransferOwnershipResponse:
        moved = self._store.transfer(
            _project(request.project_id),
            _group(request.group_id),
            codec.text(request.new_owner_site, "new_owner_site", codec.SITE_LENGTH),
        )
        return pb.TransferOwnershipResponse(entities_transferred=moved)

    def ListChanges(
        self, request: pb.ListChangesRequest, context: grpc.ServicerContext
    ) -> pb.ListChangesResponse:
        if request.limit < 0 or request.limit > MAX_PAGE:
            raise InvalidArgument("limit", f"must be 0 to {MAX_PAGE}")
        changes = self._store.changes_after(
            request.origin_site or self._store.site,
            request.after_sequence,
            request.limit or DEFAULT_PAGE,
        )
        return pb.ListChangesResponse(changes=[codec.change_message(c) for c in changes])

    def Replicate(
        self, request_iterator: Iterator[pb.ReplicationMessage], context: grpc.ServicerContext
    ) -> Iterator[pb.ReplicationAck]:
        yield from replication.receive(
            self._store, self._settings, request_iterator, context, self._stopping
        )

    def GetReplicationStatus(
        self, request: pb.GetReplicationStatusRequest, context: grpc.ServicerContext
    ) -> pb.ReplicationStatus:
        peers = []
        for peer in self._settings.peers:
            acked, behind, seconds = replication.lag(self._store, peer.site)
            sender = self._senders.get(peer.site)
            peers.append(
                pb.PeerStatus(
                    peer_site=peer.site,
                    address=peer.address,
                    connected=bool(sender and sender.state.connected),
                    acknowledged_sequence=acked,
                    changes_behind=behind,
                    seconds_behind=seconds,
                    last_error=sender.state.last_error if sender else "",
                )
            )
        return pb.ReplicationStatus(
            site=self._store.site, local_sequence=self._store.local_sequence(), peers=peers
        )
