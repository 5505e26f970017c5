"""Names to ids: failover groups, their VMs and Nova servers."""

from __future__ import annotations

import pytest

from cli.errors import CliError
from cli.resolve import is_uuid, one_server, pick_group, pick_vm

GROUPS = [
    {"id": "g-1", "name": "Finance-Production"},
    {"id": "g-2", "name": "Twin"},
    {"id": "g-3", "name": "Twin"},
    {"id": "g-4", "name": "g-1"},
]


def test_a_group_is_found_by_id_first_then_by_exact_name():
    assert pick_group("g-1", GROUPS) == "g-1"
    assert pick_group("Finance-Production", GROUPS) == "g-1"


def test_a_name_two_groups_share_is_refused_naming_both():
    with pytest.raises(CliError, match=r"2 failover groups are named 'Twin' \(g-2, g-3\)"):
        pick_group("Twin", GROUPS)


def test_an_unknown_value_that_could_be_an_id_is_left_for_the_gateway_to_judge():
    assert pick_group("g-99", GROUPS) == "g-99"


def test_an_unknown_name_that_cannot_be_an_id_is_an_error():
    with pytest.raises(CliError, match="no failover group has the id or name 'Finance Prod'"):
        pick_group("Finance Prod", GROUPS)


def test_a_groups_vm_is_found_by_server_id_or_name():
    vms = [{"server_id": "s1", "name": "web"}, {"server_id": "s2", "name": "db"}]
    assert pick_vm("s2", vms) == "s2"
    assert pick_vm("web", vms) == "s1"
    assert pick_vm("gone", vms) is None
    with pytest.raises(CliError, match="give the server id"):
        pick_vm("web", [*vms, {"server_id": "s3", "name": "web"}])


def test_server_ids_are_uuids():
    assert is_uuid("7f43d683-9db8-4cfa-be26-7e12dc7ec38f")
    assert is_uuid("7F43D683-9DB8-4CFA-BE26-7E12DC7EC38F")
    assert not is_uuid("web-1")
    assert not is_uuid("7f43d6839db84cfabe267e12dc7ec38f")


def test_a_server_name_must_name_exactly_one_server():
    assert one_server("web", ["s1"]) == "s1"
    with pytest.raises(CliError, match="no server named 'web'"):
        one_server("web", [])
    with pytest.raises(CliError, match=r"2 servers are named 'web' \(s1, s2\)"):
        one_server("web", ["s2", "s1"])
