"""Credentials: what goes to openstacksdk's config loader, and secrets kept out of sight."""

from __future__ import annotations

from cli.auth import Credentials, authenticate


def test_only_what_was_given_goes_to_openstacksdk_and_a_token_picks_token_auth():
    given = Credentials(cloud="site-b", username="alice", password="pw", region_name="RegionB")
    assert given.sdk_options() == {"username": "alice", "password": "pw", "region_name": "RegionB"}
    token = Credentials(auth_url="https://keystone/v3", token="tok", insecure=True)
    assert token.sdk_options() == {
        "auth_url": "https://keystone/v3",
        "insecure": True,
        "auth_type": "token",
        "token": "tok",
    }


def test_a_token_and_a_gateway_url_skip_keystone():
    session = authenticate(Credentials(token="tok-123", draas_url="https://draas.site-b:8443"))
    assert (session.token, session.gateway_url, session.verify, session.cloud) == (
        "tok-123",
        "https://draas.site-b:8443",
        True,
        None,
    )
    assert authenticate(Credentials(token="t", draas_url="u", cacert="/ca.pem")).verify == "/ca.pem"
    assert authenticate(Credentials(token="t", draas_url="u", insecure=True)).verify is False


def test_secrets_are_not_in_reprs_or_quoted_messages():
    credentials = Credentials(username="alice", password="hunter2", token="tok-123")
    assert "hunter2" not in repr(credentials) and "tok-123" not in repr(credentials)
    session = authenticate(Credentials(token="tok-123", draas_url="https://draas"))
    assert "tok-123" not in repr(session)
    assert credentials.redact("bad password hunter2 for tok-123") == "bad password *** for ***"
