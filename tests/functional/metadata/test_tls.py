"""Replication between sites over mutual TLS: certificates from settings, the peer's
certificate must name the site it speaks for."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from pydantic import ValidationError

from draas.metadata.v1 import metadata_pb2 as pb
from services.metadata.settings import MetadataSettings, TlsSettings
from tests.functional.metadata.certs import Authority
from tests.functional.metadata.conftest import all_entities, entity, status
from tests.waiting import wait_until

SERVER = pb.ENTITY_KIND_SERVER


@pytest.fixture
def authority(tmp_path: Any) -> Authority:
    return Authority("draas-sites", tmp_path)


def test_changes_replicate_over_mutual_tls(start: Any, authority: Authority) -> None:
    b = start("site-b", peers=["site-a"], tls=authority.issue("site-b"))
    a = start("site-a", peers=["site-b"], tls=authority.issue("site-a"))
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[entity("site-a", SERVER, "vm-1")]))

    wait_until(lambda: status(a).peers[0].changes_behind == 0 and status(a).peers[0].connected)
    assert all_entities(b) == all_entities(a) != {}


def test_a_certificate_that_names_another_site_is_refused(start: Any, authority: Authority) -> None:
    b = start("site-b", peers=["site-a"], tls=authority.issue("site-b"))
    a = start("site-a", peers=["site-b"], tls=authority.issue("site-c"))
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[entity("site-a", SERVER, "vm-1")]))

    refusal = wait_until(lambda: status(a).peers[0].last_error)
    assert refusal == "PERMISSION_DENIED: the peer's certificate does not name site site-a"
    assert all_entities(b) == {}


def test_a_certificate_from_another_authority_fails_the_handshake(
    start: Any, authority: Authority, tmp_path: Any
) -> None:
    b = start("site-b", peers=["site-a"], tls=authority.issue("site-b"))
    stranger = Authority("elsewhere", tmp_path).issue("site-a")
    tls = TlsSettings(
        cert_file=stranger.cert_file, key_file=stranger.key_file, ca_file=authority.ca_file
    )
    a = start("site-a", peers=["site-b"], tls=tls)
    a.stub.PutEntities(pb.PutEntitiesRequest(entities=[entity("site-a", SERVER, "vm-1")]))

    assert wait_until(lambda: status(a).peers[0].last_error).startswith("UNAVAILABLE")
    assert not status(a).peers[0].connected
    assert all_entities(b) == {}


def test_with_tls_replication_on_the_plain_port_is_refused(
    start: Any, authority: Authority
) -> None:
    b = start("site-b", peers=["site-a"], tls=authority.issue("site-b"))
    hello = pb.ReplicationMessage(hello=pb.ReplicationHello(origin_site="site-a"))
    with pytest.raises(grpc.RpcError) as refused:
        list(b.stub.Replicate(iter([hello])))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_tls_settings_name_files_that_exist(tmp_path: Any, authority: Authority) -> None:
    issued = authority.issue("site-a")
    with pytest.raises(ValidationError) as refused:
        MetadataSettings(
            site="site-a",
            state_dir=tmp_path,
            tls={
                "cert_file": tmp_path / "missing.crt",
                "key_file": issued.key_file,
                "ca_file": issued.ca_file,
            },
        )
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
        (("tls", "cert_file"), "path_not_file")
    ]


@pytest.mark.parametrize("given", ["tls", "peer_port"])
def test_tls_and_the_peer_port_come_together(
    tmp_path: Any, authority: Authority, given: str
) -> None:
    value = {"tls": authority.issue("site-a"), "peer_port": 50061}[given]
    with pytest.raises(ValidationError, match="peer_port and tls go together"):
        MetadataSettings(site="site-a", state_dir=tmp_path, **{given: value})
