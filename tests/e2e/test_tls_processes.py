"""A site's services as processes with mutual TLS from the site-wide settings (DRAAS_TLS_*,
each process with a certificate of its own): they serve health and the orchestrator reaches
the others over TLS, and a client without a certificate of the authority is refused."""

import grpc
import pytest

from common.grpc_client import check_health, raw_channel
from tools.certificates import Authority
from tools.launcher import SERVICES, LocalSite


def test_a_site_runs_over_mutual_tls_and_refuses_clients_without_a_certificate(tmp_path):
    site = LocalSite("site-a", tmp_path / "state", tls=Authority("draas", tmp_path / "tls"))
    with site:
        assert site.system_status().healthy, "the orchestrator reaches each service over TLS"
        for name in SERVICES:
            address = site.processes[name].address
            with raw_channel(address, site.client_tls()) as channel:
                assert check_health(channel, timeout=5) == "SERVING"
            with grpc.insecure_channel(address) as channel, pytest.raises(grpc.RpcError) as refused:
                check_health(channel, timeout=5)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
