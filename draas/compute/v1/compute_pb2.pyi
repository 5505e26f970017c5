import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class QuiesceMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    QUIESCE_MODE_UNSPECIFIED: _ClassVar[QuiesceMode]
    QUIESCE_MODE_PAUSE: _ClassVar[QuiesceMode]
    QUIESCE_MODE_STOP: _ClassVar[QuiesceMode]

class ResourceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_TYPE_UNSPECIFIED: _ClassVar[ResourceType]
    RESOURCE_TYPE_SERVER: _ClassVar[ResourceType]
    RESOURCE_TYPE_VOLUME: _ClassVar[ResourceType]
    RESOURCE_TYPE_PORT: _ClassVar[ResourceType]
    RESOURCE_TYPE_ROUTER: _ClassVar[ResourceType]
    RESOURCE_TYPE_SUBNET: _ClassVar[ResourceType]
    RESOURCE_TYPE_NETWORK: _ClassVar[ResourceType]
    RESOURCE_TYPE_SECURITY_GROUP: _ClassVar[ResourceType]
    RESOURCE_TYPE_SERVER_GROUP: _ClassVar[ResourceType]
    RESOURCE_TYPE_KEY_PAIR: _ClassVar[ResourceType]
    RESOURCE_TYPE_FLAVOR: _ClassVar[ResourceType]
QUIESCE_MODE_UNSPECIFIED: QuiesceMode
QUIESCE_MODE_PAUSE: QuiesceMode
QUIESCE_MODE_STOP: QuiesceMode
RESOURCE_TYPE_UNSPECIFIED: ResourceType
RESOURCE_TYPE_SERVER: ResourceType
RESOURCE_TYPE_VOLUME: ResourceType
RESOURCE_TYPE_PORT: ResourceType
RESOURCE_TYPE_ROUTER: ResourceType
RESOURCE_TYPE_SUBNET: ResourceType
RESOURCE_TYPE_NETWORK: ResourceType
RESOURCE_TYPE_SECURITY_GROUP: ResourceType
RESOURCE_TYPE_SERVER_GROUP: ResourceType
RESOURCE_TYPE_KEY_PAIR: ResourceType
RESOURCE_TYPE_FLAVOR: ResourceType

class IdentifyTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class TokenIdentity(_message.Message):
    __slots__ = ("user_id", "project_id", "project_name", "roles")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_NAME_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    project_id: str
    project_name: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, user_id: _Optional[str] = ..., project_id: _Optional[str] = ..., project_name: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class FindProjectRequest(_message.Message):
    __slots__ = ("project_id", "name", "domain_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    name: str
    domain_id: str
    def __init__(self, project_id: _Optional[str] = ..., name: _Optional[str] = ..., domain_id: _Optional[str] = ...) -> None: ...

class Project(_message.Message):
    __slots__ = ("id", "name", "domain_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    domain_id: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., domain_id: _Optional[str] = ...) -> None: ...

class ListExternalNetworksRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class ListExternalNetworksResponse(_message.Message):
    __slots__ = ("networks",)
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    networks: _containers.RepeatedCompositeFieldContainer[Network]
    def __init__(self, networks: _Optional[_Iterable[_Union[Network, _Mapping]]] = ...) -> None: ...

class BlockDevice(_message.Message):
    __slots__ = ("volume_id", "boot_index", "device_name", "delete_on_termination")
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    BOOT_INDEX_FIELD_NUMBER: _ClassVar[int]
    DEVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    DELETE_ON_TERMINATION_FIELD_NUMBER: _ClassVar[int]
    volume_id: str
    boot_index: int
    device_name: str
    delete_on_termination: bool
    def __init__(self, volume_id: _Optional[str] = ..., boot_index: _Optional[int] = ..., device_name: _Optional[str] = ..., delete_on_termination: _Optional[bool] = ...) -> None: ...

class Server(_message.Message):
    __slots__ = ("id", "name", "project_id", "status", "flavor_id", "image_id", "key_name", "server_group_id", "availability_zone", "metadata", "block_devices", "port_ids", "created_at")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEVICES_FIELD_NUMBER: _ClassVar[int]
    PORT_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    project_id: str
    status: str
    flavor_id: str
    image_id: str
    key_name: str
    server_group_id: str
    availability_zone: str
    metadata: _containers.ScalarMap[str, str]
    block_devices: _containers.RepeatedCompositeFieldContainer[BlockDevice]
    port_ids: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., status: _Optional[str] = ..., flavor_id: _Optional[str] = ..., image_id: _Optional[str] = ..., key_name: _Optional[str] = ..., server_group_id: _Optional[str] = ..., availability_zone: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., block_devices: _Optional[_Iterable[_Union[BlockDevice, _Mapping]]] = ..., port_ids: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Flavor(_message.Message):
    __slots__ = ("id", "name", "vcpus", "ram_mb", "disk_gb", "extra_specs", "is_public")
    class ExtraSpecsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    RAM_MB_FIELD_NUMBER: _ClassVar[int]
    DISK_GB_FIELD_NUMBER: _ClassVar[int]
    EXTRA_SPECS_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    vcpus: int
    ram_mb: int
    disk_gb: int
    extra_specs: _containers.ScalarMap[str, str]
    is_public: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., vcpus: _Optional[int] = ..., ram_mb: _Optional[int] = ..., disk_gb: _Optional[int] = ..., extra_specs: _Optional[_Mapping[str, str]] = ..., is_public: _Optional[bool] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("id", "name", "disk_format", "container_format", "properties", "visibility")
    class PropertiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISK_FORMAT_FIELD_NUMBER: _ClassVar[int]
    CONTAINER_FORMAT_FIELD_NUMBER: _ClassVar[int]
    PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    disk_format: str
    container_format: str
    properties: _containers.ScalarMap[str, str]
    visibility: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., disk_format: _Optional[str] = ..., container_format: _Optional[str] = ..., properties: _Optional[_Mapping[str, str]] = ..., visibility: _Optional[str] = ...) -> None: ...

class KeyPair(_message.Message):
    __slots__ = ("name", "public_key", "fingerprint", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    public_key: str
    fingerprint: str
    type: str
    def __init__(self, name: _Optional[str] = ..., public_key: _Optional[str] = ..., fingerprint: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class ServerGroup(_message.Message):
    __slots__ = ("id", "name", "policy")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    policy: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., policy: _Optional[str] = ...) -> None: ...

class VolumeAttachment(_message.Message):
    __slots__ = ("server_id", "device")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    device: str
    def __init__(self, server_id: _Optional[str] = ..., device: _Optional[str] = ...) -> None: ...

class Volume(_message.Message):
    __slots__ = ("id", "name", "project_id", "size_gb", "volume_type", "bootable", "encrypted", "status", "array_name", "array_volume_name", "metadata", "attachments", "image_metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ImageMetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    BOOTABLE_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ARRAY_NAME_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VOLUME_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_METADATA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    project_id: str
    size_gb: int
    volume_type: str
    bootable: bool
    encrypted: bool
    status: str
    array_name: str
    array_volume_name: str
    metadata: _containers.ScalarMap[str, str]
    attachments: _containers.RepeatedCompositeFieldContainer[VolumeAttachment]
    image_metadata: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., size_gb: _Optional[int] = ..., volume_type: _Optional[str] = ..., bootable: _Optional[bool] = ..., encrypted: _Optional[bool] = ..., status: _Optional[str] = ..., array_name: _Optional[str] = ..., array_volume_name: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., attachments: _Optional[_Iterable[_Union[VolumeAttachment, _Mapping]]] = ..., image_metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class VolumeType(_message.Message):
    __slots__ = ("id", "name", "extra_specs", "replication_enabled", "replication_type", "encrypted", "backend_name", "hosts", "is_public")
    class ExtraSpecsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_SPECS_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    REPLICATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    ENCRYPTED_FIELD_NUMBER: _ClassVar[int]
    BACKEND_NAME_FIELD_NUMBER: _ClassVar[int]
    HOSTS_FIELD_NUMBER: _ClassVar[int]
    IS_PUBLIC_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    extra_specs: _containers.ScalarMap[str, str]
    replication_enabled: bool
    replication_type: str
    encrypted: bool
    backend_name: str
    hosts: _containers.RepeatedScalarFieldContainer[str]
    is_public: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., extra_specs: _Optional[_Mapping[str, str]] = ..., replication_enabled: _Optional[bool] = ..., replication_type: _Optional[str] = ..., encrypted: _Optional[bool] = ..., backend_name: _Optional[str] = ..., hosts: _Optional[_Iterable[str]] = ..., is_public: _Optional[bool] = ...) -> None: ...

class Network(_message.Message):
    __slots__ = ("id", "name", "project_id", "mtu", "shared", "external", "admin_state_up", "tags", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    MTU_FIELD_NUMBER: _ClassVar[int]
    SHARED_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    ADMIN_STATE_UP_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    project_id: str
    mtu: int
    shared: bool
    external: bool
    admin_state_up: bool
    tags: _containers.RepeatedScalarFieldContainer[str]
    description: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., mtu: _Optional[int] = ..., shared: _Optional[bool] = ..., external: _Optional[bool] = ..., admin_state_up: _Optional[bool] = ..., tags: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ...) -> None: ...

class AllocationPool(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class HostRoute(_message.Message):
    __slots__ = ("destination", "nexthop")
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    NEXTHOP_FIELD_NUMBER: _ClassVar[int]
    destination: str
    nexthop: str
    def __init__(self, destination: _Optional[str] = ..., nexthop: _Optional[str] = ...) -> None: ...

class Subnet(_message.Message):
    __slots__ = ("id", "name", "network_id", "cidr", "ip_version", "gateway_ip", "enable_dhcp", "allocation_pools", "dns_nameservers", "host_routes", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    IP_VERSION_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_IP_FIELD_NUMBER: _ClassVar[int]
    ENABLE_DHCP_FIELD_NUMBER: _ClassVar[int]
    ALLOCATION_POOLS_FIELD_NUMBER: _ClassVar[int]
    DNS_NAMESERVERS_FIELD_NUMBER: _ClassVar[int]
    HOST_ROUTES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    network_id: str
    cidr: str
    ip_version: int
    gateway_ip: str
    enable_dhcp: bool
    allocation_pools: _containers.RepeatedCompositeFieldContainer[AllocationPool]
    dns_nameservers: _containers.RepeatedScalarFieldContainer[str]
    host_routes: _containers.RepeatedCompositeFieldContainer[HostRoute]
    description: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., network_id: _Optional[str] = ..., cidr: _Optional[str] = ..., ip_version: _Optional[int] = ..., gateway_ip: _Optional[str] = ..., enable_dhcp: _Optional[bool] = ..., allocation_pools: _Optional[_Iterable[_Union[AllocationPool, _Mapping]]] = ..., dns_nameservers: _Optional[_Iterable[str]] = ..., host_routes: _Optional[_Iterable[_Union[HostRoute, _Mapping]]] = ..., description: _Optional[str] = ...) -> None: ...

class RouterInterface(_message.Message):
    __slots__ = ("subnet_id", "port_id")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    PORT_ID_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    port_id: str
    def __init__(self, subnet_id: _Optional[str] = ..., port_id: _Optional[str] = ...) -> None: ...

class Router(_message.Message):
    __slots__ = ("id", "name", "project_id", "external_network_id", "interfaces", "external_network_name", "description")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    INTERFACES_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    project_id: str
    external_network_id: str
    interfaces: _containers.RepeatedCompositeFieldContainer[RouterInterface]
    external_network_name: str
    description: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., project_id: _Optional[str] = ..., external_network_id: _Optional[str] = ..., interfaces: _Optional[_Iterable[_Union[RouterInterface, _Mapping]]] = ..., external_network_name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class FixedIp(_message.Message):
    __slots__ = ("subnet_id", "ip_address")
    SUBNET_ID_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    subnet_id: str
    ip_address: str
    def __init__(self, subnet_id: _Optional[str] = ..., ip_address: _Optional[str] = ...) -> None: ...

class Port(_message.Message):
    __slots__ = ("id", "name", "network_id", "mac_address", "fixed_ips", "security_group_ids", "device_id", "device_owner")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    MAC_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    FIXED_IPS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_OWNER_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    network_id: str
    mac_address: str
    fixed_ips: _containers.RepeatedCompositeFieldContainer[FixedIp]
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    device_id: str
    device_owner: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., network_id: _Optional[str] = ..., mac_address: _Optional[str] = ..., fixed_ips: _Optional[_Iterable[_Union[FixedIp, _Mapping]]] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., device_id: _Optional[str] = ..., device_owner: _Optional[str] = ...) -> None: ...

class SecurityGroupRule(_message.Message):
    __slots__ = ("id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    ETHERTYPE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_RANGE_MIN_FIELD_NUMBER: _ClassVar[int]
    PORT_RANGE_MAX_FIELD_NUMBER: _ClassVar[int]
    REMOTE_IP_PREFIX_FIELD_NUMBER: _ClassVar[int]
    REMOTE_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    direction: str
    ethertype: str
    protocol: str
    port_range_min: int
    port_range_max: int
    remote_ip_prefix: str
    remote_group_id: str
    def __init__(self, id: _Optional[str] = ..., direction: _Optional[str] = ..., ethertype: _Optional[str] = ..., protocol: _Optional[str] = ..., port_range_min: _Optional[int] = ..., port_range_max: _Optional[int] = ..., remote_ip_prefix: _Optional[str] = ..., remote_group_id: _Optional[str] = ...) -> None: ...

class SecurityGroup(_message.Message):
    __slots__ = ("id", "name", "description", "project_id", "rules")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    project_id: str
    rules: _containers.RepeatedCompositeFieldContainer[SecurityGroupRule]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., project_id: _Optional[str] = ..., rules: _Optional[_Iterable[_Union[SecurityGroupRule, _Mapping]]] = ...) -> None: ...

class ListTaggedServersRequest(_message.Message):
    __slots__ = ("metadata_key",)
    METADATA_KEY_FIELD_NUMBER: _ClassVar[int]
    metadata_key: str
    def __init__(self, metadata_key: _Optional[str] = ...) -> None: ...

class ListTaggedServersResponse(_message.Message):
    __slots__ = ("servers",)
    SERVERS_FIELD_NUMBER: _ClassVar[int]
    servers: _containers.RepeatedCompositeFieldContainer[Server]
    def __init__(self, servers: _Optional[_Iterable[_Union[Server, _Mapping]]] = ...) -> None: ...

class CaptureInventoryRequest(_message.Message):
    __slots__ = ("project_id", "server_ids", "volumes_only")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_IDS_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_ONLY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_ids: _containers.RepeatedScalarFieldContainer[str]
    volumes_only: bool
    def __init__(self, project_id: _Optional[str] = ..., server_ids: _Optional[_Iterable[str]] = ..., volumes_only: _Optional[bool] = ...) -> None: ...

class Inventory(_message.Message):
    __slots__ = ("project_id", "captured_at", "servers", "flavors", "images", "key_pairs", "server_groups", "volumes", "volume_types", "networks", "subnets", "routers", "ports", "security_groups")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    CAPTURED_AT_FIELD_NUMBER: _ClassVar[int]
    SERVERS_FIELD_NUMBER: _ClassVar[int]
    FLAVORS_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIRS_FIELD_NUMBER: _ClassVar[int]
    SERVER_GROUPS_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPES_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    SUBNETS_FIELD_NUMBER: _ClassVar[int]
    ROUTERS_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    captured_at: _timestamp_pb2.Timestamp
    servers: _containers.RepeatedCompositeFieldContainer[Server]
    flavors: _containers.RepeatedCompositeFieldContainer[Flavor]
    images: _containers.RepeatedCompositeFieldContainer[Image]
    key_pairs: _containers.RepeatedCompositeFieldContainer[KeyPair]
    server_groups: _containers.RepeatedCompositeFieldContainer[ServerGroup]
    volumes: _containers.RepeatedCompositeFieldContainer[Volume]
    volume_types: _containers.RepeatedCompositeFieldContainer[VolumeType]
    networks: _containers.RepeatedCompositeFieldContainer[Network]
    subnets: _containers.RepeatedCompositeFieldContainer[Subnet]
    routers: _containers.RepeatedCompositeFieldContainer[Router]
    ports: _containers.RepeatedCompositeFieldContainer[Port]
    security_groups: _containers.RepeatedCompositeFieldContainer[SecurityGroup]
    def __init__(self, project_id: _Optional[str] = ..., captured_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., servers: _Optional[_Iterable[_Union[Server, _Mapping]]] = ..., flavors: _Optional[_Iterable[_Union[Flavor, _Mapping]]] = ..., images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., key_pairs: _Optional[_Iterable[_Union[KeyPair, _Mapping]]] = ..., server_groups: _Optional[_Iterable[_Union[ServerGroup, _Mapping]]] = ..., volumes: _Optional[_Iterable[_Union[Volume, _Mapping]]] = ..., volume_types: _Optional[_Iterable[_Union[VolumeType, _Mapping]]] = ..., networks: _Optional[_Iterable[_Union[Network, _Mapping]]] = ..., subnets: _Optional[_Iterable[_Union[Subnet, _Mapping]]] = ..., routers: _Optional[_Iterable[_Union[Router, _Mapping]]] = ..., ports: _Optional[_Iterable[_Union[Port, _Mapping]]] = ..., security_groups: _Optional[_Iterable[_Union[SecurityGroup, _Mapping]]] = ...) -> None: ...

class GetServerRequest(_message.Message):
    __slots__ = ("project_id", "server_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_id: str
    def __init__(self, project_id: _Optional[str] = ..., server_id: _Optional[str] = ...) -> None: ...

class QuiesceServerRequest(_message.Message):
    __slots__ = ("project_id", "server_id", "mode")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_id: str
    mode: QuiesceMode
    def __init__(self, project_id: _Optional[str] = ..., server_id: _Optional[str] = ..., mode: _Optional[_Union[QuiesceMode, str]] = ...) -> None: ...

class ThawServerRequest(_message.Message):
    __slots__ = ("project_id", "server_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_id: str
    def __init__(self, project_id: _Optional[str] = ..., server_id: _Optional[str] = ...) -> None: ...

class ManageVolumeRequest(_message.Message):
    __slots__ = ("project_id", "host", "source_name", "name", "volume_type", "bootable", "metadata", "request_id", "image_metadata", "operation_id")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ImageMetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    BOOTABLE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_METADATA_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    host: str
    source_name: str
    name: str
    volume_type: str
    bootable: bool
    metadata: _containers.ScalarMap[str, str]
    request_id: str
    image_metadata: _containers.ScalarMap[str, str]
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., host: _Optional[str] = ..., source_name: _Optional[str] = ..., name: _Optional[str] = ..., volume_type: _Optional[str] = ..., bootable: _Optional[bool] = ..., metadata: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., image_metadata: _Optional[_Mapping[str, str]] = ..., operation_id: _Optional[str] = ...) -> None: ...

class UnmanageVolumeRequest(_message.Message):
    __slots__ = ("project_id", "volume_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    volume_id: str
    def __init__(self, project_id: _Optional[str] = ..., volume_id: _Optional[str] = ...) -> None: ...

class UnmanageVolumeResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RetypeVolumeRequest(_message.Message):
    __slots__ = ("project_id", "volume_id", "new_type", "migration_policy")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    NEW_TYPE_FIELD_NUMBER: _ClassVar[int]
    MIGRATION_POLICY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    volume_id: str
    new_type: str
    migration_policy: str
    def __init__(self, project_id: _Optional[str] = ..., volume_id: _Optional[str] = ..., new_type: _Optional[str] = ..., migration_policy: _Optional[str] = ...) -> None: ...

class ListVolumeTypesRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class ListVolumeTypesResponse(_message.Message):
    __slots__ = ("volume_types",)
    VOLUME_TYPES_FIELD_NUMBER: _ClassVar[int]
    volume_types: _containers.RepeatedCompositeFieldContainer[VolumeType]
    def __init__(self, volume_types: _Optional[_Iterable[_Union[VolumeType, _Mapping]]] = ...) -> None: ...

class EnsureNetworkRequest(_message.Message):
    __slots__ = ("project_id", "source", "isolated", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    ISOLATED_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: Network
    isolated: bool
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[Network, _Mapping]] = ..., isolated: _Optional[bool] = ..., operation_id: _Optional[str] = ...) -> None: ...

class EnsureSubnetRequest(_message.Message):
    __slots__ = ("project_id", "source", "network_id", "operation_id")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: Subnet
    network_id: str
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[Subnet, _Mapping]] = ..., network_id: _Optional[str] = ..., operation_id: _Optional[str] = ...) -> None: ...

class EnsureRouterRequest(_message.Message):
    __slots__ = ("project_id", "source", "subnet_ids", "external_network_id", "operation_id", "external_network_name")
    class SubnetIdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_NETWORK_NAME_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: Router
    subnet_ids: _containers.ScalarMap[str, str]
    external_network_id: str
    operation_id: str
    external_network_name: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[Router, _Mapping]] = ..., subnet_ids: _Optional[_Mapping[str, str]] = ..., external_network_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., external_network_name: _Optional[str] = ...) -> None: ...

class EnsureSecurityGroupRequest(_message.Message):
    __slots__ = ("project_id", "source", "group_ids", "operation_id")
    class GroupIdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: SecurityGroup
    group_ids: _containers.ScalarMap[str, str]
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[SecurityGroup, _Mapping]] = ..., group_ids: _Optional[_Mapping[str, str]] = ..., operation_id: _Optional[str] = ...) -> None: ...

class EnsureSecurityGroupResponse(_message.Message):
    __slots__ = ("group", "deferred_rules")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    DEFERRED_RULES_FIELD_NUMBER: _ClassVar[int]
    group: SecurityGroup
    deferred_rules: int
    def __init__(self, group: _Optional[_Union[SecurityGroup, _Mapping]] = ..., deferred_rules: _Optional[int] = ...) -> None: ...

class EnsurePortRequest(_message.Message):
    __slots__ = ("project_id", "source", "network_id", "subnet_ids", "security_group_ids", "operation_id")
    class SubnetIdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    SUBNET_IDS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: Port
    network_id: str
    subnet_ids: _containers.ScalarMap[str, str]
    security_group_ids: _containers.RepeatedScalarFieldContainer[str]
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[Port, _Mapping]] = ..., network_id: _Optional[str] = ..., subnet_ids: _Optional[_Mapping[str, str]] = ..., security_group_ids: _Optional[_Iterable[str]] = ..., operation_id: _Optional[str] = ...) -> None: ...

class EnsurePortResponse(_message.Message):
    __slots__ = ("port", "mac_kept", "fixed_ips_kept")
    PORT_FIELD_NUMBER: _ClassVar[int]
    MAC_KEPT_FIELD_NUMBER: _ClassVar[int]
    FIXED_IPS_KEPT_FIELD_NUMBER: _ClassVar[int]
    port: Port
    mac_kept: bool
    fixed_ips_kept: bool
    def __init__(self, port: _Optional[_Union[Port, _Mapping]] = ..., mac_kept: _Optional[bool] = ..., fixed_ips_kept: _Optional[bool] = ...) -> None: ...

class BootServerRequest(_message.Message):
    __slots__ = ("project_id", "source", "name", "flavor_id", "block_devices", "port_ids", "key_name", "server_group_id", "metadata", "availability_zone", "request_id", "source_flavor", "key_pair", "server_group", "operation_id")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_ID_FIELD_NUMBER: _ClassVar[int]
    BLOCK_DEVICES_FIELD_NUMBER: _ClassVar[int]
    PORT_IDS_FIELD_NUMBER: _ClassVar[int]
    KEY_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVER_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FLAVOR_FIELD_NUMBER: _ClassVar[int]
    KEY_PAIR_FIELD_NUMBER: _ClassVar[int]
    SERVER_GROUP_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    source: Server
    name: str
    flavor_id: str
    block_devices: _containers.RepeatedCompositeFieldContainer[BlockDevice]
    port_ids: _containers.RepeatedScalarFieldContainer[str]
    key_name: str
    server_group_id: str
    metadata: _containers.ScalarMap[str, str]
    availability_zone: str
    request_id: str
    source_flavor: Flavor
    key_pair: KeyPair
    server_group: ServerGroup
    operation_id: str
    def __init__(self, project_id: _Optional[str] = ..., source: _Optional[_Union[Server, _Mapping]] = ..., name: _Optional[str] = ..., flavor_id: _Optional[str] = ..., block_devices: _Optional[_Iterable[_Union[BlockDevice, _Mapping]]] = ..., port_ids: _Optional[_Iterable[str]] = ..., key_name: _Optional[str] = ..., server_group_id: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., availability_zone: _Optional[str] = ..., request_id: _Optional[str] = ..., source_flavor: _Optional[_Union[Flavor, _Mapping]] = ..., key_pair: _Optional[_Union[KeyPair, _Mapping]] = ..., server_group: _Optional[_Union[ServerGroup, _Mapping]] = ..., operation_id: _Optional[str] = ...) -> None: ...

class BootServerResponse(_message.Message):
    __slots__ = ("server", "created")
    SERVER_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    server: Server
    created: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ..., created: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ...) -> None: ...

class VerifyServerRequest(_message.Message):
    __slots__ = ("project_id", "server_id", "timeout", "volume_ids", "port_ids", "ip_addresses")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_FIELD_NUMBER: _ClassVar[int]
    VOLUME_IDS_FIELD_NUMBER: _ClassVar[int]
    PORT_IDS_FIELD_NUMBER: _ClassVar[int]
    IP_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    server_id: str
    timeout: _duration_pb2.Duration
    volume_ids: _containers.RepeatedScalarFieldContainer[str]
    port_ids: _containers.RepeatedScalarFieldContainer[str]
    ip_addresses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, project_id: _Optional[str] = ..., server_id: _Optional[str] = ..., timeout: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., volume_ids: _Optional[_Iterable[str]] = ..., port_ids: _Optional[_Iterable[str]] = ..., ip_addresses: _Optional[_Iterable[str]] = ...) -> None: ...

class VerifyServerResponse(_message.Message):
    __slots__ = ("server", "verified", "problems")
    SERVER_FIELD_NUMBER: _ClassVar[int]
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    server: Server
    verified: bool
    problems: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server: _Optional[_Union[Server, _Mapping]] = ..., verified: _Optional[bool] = ..., problems: _Optional[_Iterable[str]] = ...) -> None: ...

class ResourceRef(_message.Message):
    __slots__ = ("type", "id")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    type: ResourceType
    id: str
    def __init__(self, type: _Optional[_Union[ResourceType, str]] = ..., id: _Optional[str] = ...) -> None: ...

class MadeBy(_message.Message):
    __slots__ = ("request_id", "operation_id", "source_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    operation_id: str
    source_id: str
    def __init__(self, request_id: _Optional[str] = ..., operation_id: _Optional[str] = ..., source_id: _Optional[str] = ...) -> None: ...

class DeleteResourcesRequest(_message.Message):
    __slots__ = ("project_id", "resources", "operation_id", "made_by")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    OPERATION_ID_FIELD_NUMBER: _ClassVar[int]
    MADE_BY_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    resources: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    operation_id: str
    made_by: _containers.RepeatedCompositeFieldContainer[MadeBy]
    def __init__(self, project_id: _Optional[str] = ..., resources: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ..., operation_id: _Optional[str] = ..., made_by: _Optional[_Iterable[_Union[MadeBy, _Mapping]]] = ...) -> None: ...

class DeleteResourcesResponse(_message.Message):
    __slots__ = ("deleted", "absent")
    DELETED_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    deleted: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    absent: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    def __init__(self, deleted: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ..., absent: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ...) -> None: ...

class RemoveNetworkCopiesRequest(_message.Message):
    __slots__ = ("project_id", "resources", "needed")
    class NeededEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    NEEDED_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    resources: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    needed: _containers.ScalarMap[str, str]
    def __init__(self, project_id: _Optional[str] = ..., resources: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ..., needed: _Optional[_Mapping[str, str]] = ...) -> None: ...

class NamedResource(_message.Message):
    __slots__ = ("type", "id", "name", "reason")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    type: ResourceType
    id: str
    name: str
    reason: str
    def __init__(self, type: _Optional[_Union[ResourceType, str]] = ..., id: _Optional[str] = ..., name: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RemoveNetworkCopiesResponse(_message.Message):
    __slots__ = ("removed", "kept", "absent", "not_copies")
    REMOVED_FIELD_NUMBER: _ClassVar[int]
    KEPT_FIELD_NUMBER: _ClassVar[int]
    ABSENT_FIELD_NUMBER: _ClassVar[int]
    NOT_COPIES_FIELD_NUMBER: _ClassVar[int]
    removed: _containers.RepeatedCompositeFieldContainer[NamedResource]
    kept: _containers.RepeatedCompositeFieldContainer[NamedResource]
    absent: _containers.RepeatedCompositeFieldContainer[ResourceRef]
    not_copies: _containers.RepeatedCompositeFieldContainer[NamedResource]
    def __init__(self, removed: _Optional[_Iterable[_Union[NamedResource, _Mapping]]] = ..., kept: _Optional[_Iterable[_Union[NamedResource, _Mapping]]] = ..., absent: _Optional[_Iterable[_Union[ResourceRef, _Mapping]]] = ..., not_copies: _Optional[_Iterable[_Union[NamedResource, _Mapping]]] = ...) -> None: ...

class GetQuotaHeadroomRequest(_message.Message):
    __slots__ = ("project_id",)
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    def __init__(self, project_id: _Optional[str] = ...) -> None: ...

class QuotaHeadroom(_message.Message):
    __slots__ = ("instances", "cores", "ram_mb", "volumes", "gigabytes", "ports", "networks", "subnets", "routers", "security_groups")
    INSTANCES_FIELD_NUMBER: _ClassVar[int]
    CORES_FIELD_NUMBER: _ClassVar[int]
    RAM_MB_FIELD_NUMBER: _ClassVar[int]
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    GIGABYTES_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    SUBNETS_FIELD_NUMBER: _ClassVar[int]
    ROUTERS_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    instances: int
    cores: int
    ram_mb: int
    volumes: int
    gigabytes: int
    ports: int
    networks: int
    subnets: int
    routers: int
    security_groups: int
    def __init__(self, instances: _Optional[int] = ..., cores: _Optional[int] = ..., ram_mb: _Optional[int] = ..., volumes: _Optional[int] = ..., gigabytes: _Optional[int] = ..., ports: _Optional[int] = ..., networks: _Optional[int] = ..., subnets: _Optional[int] = ..., routers: _Optional[int] = ..., security_groups: _Optional[int] = ...) -> None: ...
