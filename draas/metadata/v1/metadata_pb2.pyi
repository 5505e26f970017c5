import datetime

from draas.common.v1 import types_pb2 as _types_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EntityKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTITY_KIND_UNSPECIFIED: _ClassVar[EntityKind]
    ENTITY_KIND_SERVER: _ClassVar[EntityKind]
    ENTITY_KIND_FLAVOR: _ClassVar[EntityKind]
    ENTITY_KIND_IMAGE: _ClassVar[EntityKind]
    ENTITY_KIND_KEY_PAIR: _ClassVar[EntityKind]
    ENTITY_KIND_SERVER_GROUP: _ClassVar[EntityKind]
    ENTITY_KIND_VOLUME: _ClassVar[EntityKind]
    ENTITY_KIND_VOLUME_TYPE: _ClassVar[EntityKind]
    ENTITY_KIND_NETWORK: _ClassVar[EntityKind]
    ENTITY_KIND_SUBNET: _ClassVar[EntityKind]
    ENTITY_KIND_ROUTER: _ClassVar[EntityKind]
    ENTITY_KIND_PORT: _ClassVar[EntityKind]
    ENTITY_KIND_SECURITY_GROUP: _ClassVar[EntityKind]
    ENTITY_KIND_SECURITY_GROUP_RULE: _ClassVar[EntityKind]
    ENTITY_KIND_FAILOVER_GROUP: _ClassVar[EntityKind]
ENTITY_KIND_UNSPECIFIED: EntityKind
ENTITY_KIND_SERVER: EntityKind
ENTITY_KIND_FLAVOR: EntityKind
ENTITY_KIND_IMAGE: EntityKind
ENTITY_KIND_KEY_PAIR: EntityKind
ENTITY_KIND_SERVER_GROUP: EntityKind
ENTITY_KIND_VOLUME: EntityKind
ENTITY_KIND_VOLUME_TYPE: EntityKind
ENTITY_KIND_NETWORK: EntityKind
ENTITY_KIND_SUBNET: EntityKind
ENTITY_KIND_ROUTER: EntityKind
ENTITY_KIND_PORT: EntityKind
ENTITY_KIND_SECURITY_GROUP: EntityKind
ENTITY_KIND_SECURITY_GROUP_RULE: EntityKind
ENTITY_KIND_FAILOVER_GROUP: EntityKind

class EntityKey(_message.Message):
    __slots__ = ("site", "kind", "id")
    SITE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    site: str
    kind: EntityKind
    id: str
    def __init__(self, site: _Optional[str] = ..., kind: _Optional[_Union[EntityKind, str]] = ..., id: _Optional[str] = ...) -> None: ...

class Entity(_message.Message):
    __slots__ = ("key", "project_id", "group_id", "owner_site", "version", "deleted", "changed_at", "body", "epoch")
    KEY_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_SITE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    EPOCH_FIELD_NUMBER: _ClassVar[int]
    key: EntityKey
    project_id: str
    group_id: str
    owner_site: str
    version: int
    deleted: bool
    changed_at: _timestamp_pb2.Timestamp
    body: _struct_pb2.Struct
    epoch: int
    def __init__(self, key: _Optional[_Union[EntityKey, _Mapping]] = ..., project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., owner_site: _Optional[str] = ..., version: _Optional[int] = ..., deleted: _Optional[bool] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., body: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., epoch: _Optional[int] = ...) -> None: ...

class Change(_message.Message):
    __slots__ = ("sequence", "origin_site", "entity")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_SITE_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    origin_site: str
    entity: Entity
    def __init__(self, sequence: _Optional[int] = ..., origin_site: _Optional[str] = ..., entity: _Optional[_Union[Entity, _Mapping]] = ...) -> None: ...

class CaptureProjectRequest(_message.Message):
    __slots__ = ("project_id", "server_ids")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., server_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CaptureProjectResponse(_message.Message):
    __slots__ = ("created", "updated", "deleted", "unchanged", "captured_at")
    CREATED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    UNCHANGED_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_AT_FIELD_NUMBER: _ClassVar[int]
    created: int
    updated: int
    deleted: int
    unchanged: int
    captured_at: _timestamp_pb2.Timestamp
    def __init__(self, created: _Optional[int] = ..., updated: _Optional[int] = ..., deleted: _Optional[int] = ..., unchanged: _Optional[int] = ..., captured_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PutEntitiesRequest(_message.Message):
    __slots__ = ("entities",)
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[Entity]
    def __init__(self, entities: _Optional[_Iterable[_Union[Entity, _Mapping]]] = ...) -> None: ...

class PutEntitiesResponse(_message.Message):
    __slots__ = ("entities",)
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[Entity]
    def __init__(self, entities: _Optional[_Iterable[_Union[Entity, _Mapping]]] = ...) -> None: ...

class GetEntityRequest(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: EntityKey
    def __init__(self, key: _Optional[_Union[EntityKey, _Mapping]] = ...) -> None: ...

class ListEntitiesRequest(_message.Message):
    __slots__ = ("project_id", "kinds", "group_id", "include_deleted", "as_of", "page", "all_projects", "site_level")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DELETED_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    ALL_PROJECTS_FIELD_NUMBER: _ClassVar[int]
    SITE_LEVEL_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    kinds: _containers.RepeatedScalarFieldContainer[EntityKind]
    group_id: str
    include_deleted: bool
    as_of: _timestamp_pb2.Timestamp
    page: _types_pb2.PageRequest
    all_projects: bool
    site_level: bool
    def __init__(self, project_id: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[EntityKind, str]]] = ..., group_id: _Optional[str] = ..., include_deleted: _Optional[bool] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page: _Optional[_Union[_types_pb2.PageRequest, _Mapping]] = ..., all_projects: _Optional[bool] = ..., site_level: _Optional[bool] = ...) -> None: ...

class ListEntitiesResponse(_message.Message):
    __slots__ = ("entities", "next_page_token")
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entities: _containers.RepeatedCompositeFieldContainer[Entity]
    next_page_token: str
    def __init__(self, entities: _Optional[_Iterable[_Union[Entity, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetRecoveryBundleRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "as_of")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    as_of: _timestamp_pb2.Timestamp
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecoveryBundle(_message.Message):
    __slots__ = ("group", "entities", "as_of", "applied_sequence")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    ENTITIES_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    APPLIED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    group: Entity
    entities: _containers.RepeatedCompositeFieldContainer[Entity]
    as_of: _timestamp_pb2.Timestamp
    applied_sequence: int
    def __init__(self, group: _Optional[_Union[Entity, _Mapping]] = ..., entities: _Optional[_Iterable[_Union[Entity, _Mapping]]] = ..., as_of: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., applied_sequence: _Optional[int] = ...) -> None: ...

class TransferOwnershipRequest(_message.Message):
    __slots__ = ("project_id", "group_id", "new_owner_site")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_OWNER_SITE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    group_id: str
    new_owner_site: str
    def __init__(self, project_id: _Optional[str] = ..., group_id: _Optional[str] = ..., new_owner_site: _Optional[str] = ...) -> None: ...

class TransferOwnershipResponse(_message.Message):
    __slots__ = ("entities_transferred",)
    ENTITIES_TRANSFERRED_FIELD_NUMBER: _ClassVar[int]
    entities_transferred: int
    def __init__(self, entities_transferred: _Optional[int] = ...) -> None: ...

class ListChangesRequest(_message.Message):
    __slots__ = ("origin_site", "after_sequence", "limit")
    ORIGIN_SITE_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    origin_site: str
    after_sequence: int
    limit: int
    def __init__(self, origin_site: _Optional[str] = ..., after_sequence: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListChangesResponse(_message.Message):
    __slots__ = ("changes",)
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    def __init__(self, changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ...) -> None: ...

class ReplicationMessage(_message.Message):
    __slots__ = ("hello", "batch")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    BATCH_FIELD_NUMBER: _ClassVar[int]
    hello: ReplicationHello
    batch: ReplicationBatch
    def __init__(self, hello: _Optional[_Union[ReplicationHello, _Mapping]] = ..., batch: _Optional[_Union[ReplicationBatch, _Mapping]] = ...) -> None: ...

class ReplicationHello(_message.Message):
    __slots__ = ("origin_site",)
    ORIGIN_SITE_FIELD_NUMBER: _ClassVar[int]
    origin_site: str
    def __init__(self, origin_site: _Optional[str] = ...) -> None: ...

class ReplicationBatch(_message.Message):
    __slots__ = ("changes", "checksum")
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    changes: _containers.RepeatedCompositeFieldContainer[Change]
    checksum: str
    def __init__(self, changes: _Optional[_Iterable[_Union[Change, _Mapping]]] = ..., checksum: _Optional[str] = ...) -> None: ...

class ReplicationAck(_message.Message):
    __slots__ = ("last_applied_sequence",)
    LAST_APPLIED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    last_applied_sequence: int
    def __init__(self, last_applied_sequence: _Optional[int] = ...) -> None: ...

class GetReplicationStatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReplicationStatus(_message.Message):
    __slots__ = ("site", "local_sequence", "peers")
    SITE_FIELD_NUMBER: _ClassVar[int]
    LOCAL_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    PEERS_FIELD_NUMBER: _ClassVar[int]
    site: str
    local_sequence: int
    peers: _containers.RepeatedCompositeFieldContainer[PeerStatus]
    def __init__(self, site: _Optional[str] = ..., local_sequence: _Optional[int] = ..., peers: _Optional[_Iterable[_Union[PeerStatus, _Mapping]]] = ...) -> None: ...

class PeerStatus(_message.Message):
    __slots__ = ("peer_site", "address", "connected", "acknowledged_sequence", "changes_behind", "seconds_behind", "last_error")
    PEER_SITE_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONNECTED_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGED_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    CHANGES_BEHIND_FIELD_NUMBER: _ClassVar[int]
    SECONDS_BEHIND_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    peer_site: str
    address: str
    connected: bool
    acknowledged_sequence: int
    changes_behind: int
    seconds_behind: float
    last_error: str
    def __init__(self, peer_site: _Optional[str] = ..., address: _Optional[str] = ..., connected: _Optional[bool] = ..., acknowledged_sequence: _Optional[int] = ..., changes_behind: _Optional[int] = ..., seconds_behind: _Optional[float] = ..., last_error: _Optional[str] = ...) -> None: ...
