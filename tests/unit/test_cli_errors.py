"""Exit codes, and the gateway's problem documents as one-line errors."""

from __future__ import annotations

import json

import pytest

from cli.client import problem_error, shown_url
from cli.errors import (
    EXIT_NOT_SUCCEEDED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNREACHABLE,
    GatewayError,
    NotSucceeded,
    Unreachable,
    exit_code_for_state,
)

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("succeeded", EXIT_OK),
        ("partially_succeeded", EXIT_NOT_SUCCEEDED),
        ("failed", EXIT_NOT_SUCCEEDED),
        ("compensated", EXIT_NOT_SUCCEEDED),
    ],
)
def test_only_a_succeeded_operation_exits_zero(state, code):
    assert exit_code_for_state(state) == code


def test_error_classes_carry_their_exit_codes():
    assert NotSucceeded("x").exit_code == EXIT_NOT_SUCCEEDED
    assert Unreachable("x").exit_code == EXIT_UNREACHABLE


def test_a_problem_document_becomes_status_title_and_detail():
    body = {
        "type": "about:blank",
        "title": "Conflict",
        "status": 409,
        "detail": "group g1 is protected; allowed: test_failover, failover",
    }
    error = problem_error(409, "Conflict", PROBLEM, json.dumps(body).encode())
    assert str(error) == "409 Conflict: group g1 is protected; allowed: test_failover, failover"
    assert (error.status, error.exit_code) == (409, EXIT_REFUSED)


def test_invalid_params_are_kept():
    body = {"title": "Bad request", "status": 400, "detail": "tier: too small"}
    body["invalid_params"] = ["tier: too small"]
    error = problem_error(400, "Bad Request", PROBLEM, json.dumps(body).encode())
    assert error.invalid_params == ("tier: too small",)


@pytest.mark.parametrize("status", [400, 403, 404, 409, 500, 503])
def test_every_refusal_but_an_unaccepted_token_exits_one(status):
    assert GatewayError(status, "t", "d").exit_code == EXIT_REFUSED


def test_a_token_the_gateway_does_not_accept_exits_four():
    body = json.dumps({"title": "Not authenticated", "status": 401, "detail": "expired"}).encode()
    assert problem_error(401, "Unauthorized", PROBLEM, body).exit_code == EXIT_UNREACHABLE


def test_a_body_that_is_not_a_problem_gives_the_status_alone():
    error = problem_error(502, "Bad Gateway", "text/html", b"<html>nginx</html>")
    assert str(error) == "502 Bad Gateway"
    assert str(problem_error(500, "Internal Server Error", PROBLEM, b"{not json")) == (
        "500 Internal Server Error"
    )


def test_urls_in_messages_lose_their_user_and_password():
    assert (
        shown_url("https://bob:s3cret@draas.site-b:8443/v1?x=1") == "https://draas.site-b:8443/v1"
    )
