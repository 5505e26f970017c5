import grpc
import pytest

from common import errors

CONCRETE = [
    errors.InvalidArgument("tier", "must be 1 or more"),
    errors.NotFound("no group g1"),
    errors.AlreadyExists("group g1 exists"),
    errors.FailedPrecondition("group g1 is failing over"),
    errors.PermissionDenied("not your project"),
    errors.Unauthenticated("token expired"),
    errors.Unimplemented("not yet"),
    errors.ServiceUnavailable("array-b does not answer"),
    errors.DeadlineExceeded("took too long"),
    errors.Aborted("lease lost"),
    errors.ResourceExhausted("quota"),
    errors.InternalError("bug"),
]


@pytest.mark.parametrize("error", CONCRETE, ids=lambda e: type(e).__name__)
def test_status_code_round_trip(error):
    again = errors.from_grpc(errors.grpc_code(error), str(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.retryable == error.retryable


def test_invalid_argument_keeps_its_field_across_the_wire():
    error = errors.from_grpc(grpc.StatusCode.INVALID_ARGUMENT, "tier: must be 1 or more")
    assert isinstance(error, errors.InvalidArgument)
    assert (error.field, error.reason) == ("tier", "must be 1 or more")


def test_retryable_errors_are_marked():
    assert errors.ServiceUnavailable("x").retryable
    assert not errors.NotFound("x").retryable
    assert errors.grpc_code(errors.RetryableError("x")) == grpc.StatusCode.UNAVAILABLE


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidArgument("f", "r"), 400),
        (errors.NotFound("x"), 404),
        (errors.FailedPrecondition("x"), 409),
        (errors.PermissionDenied("x"), 403),
        (errors.ServiceUnavailable("x"), 503),
        (errors.DraasError("x"), 500),
    ],
)
def test_http_status(error, status):
    assert errors.http_status(error) == status


def test_unknown_codes_become_internal_errors():
    assert isinstance(errors.from_grpc(grpc.StatusCode.UNKNOWN, "?"), errors.InternalError)
    assert isinstance(errors.from_grpc(grpc.StatusCode.CANCELLED, ""), errors.Aborted)


def test_a_service_that_did_not_answer_is_told_from_one_that_answered_unavailable():
    unavailable = grpc.StatusCode.UNAVAILABLE
    # No draas server sent it: grpc could not reach the service.
    assert type(errors.from_grpc(unavailable, "connection refused", None)) is (
        errors.ServiceUnreachable
    )
    # A service answered that one it calls did not: as unreachable, hop after hop.
    assert type(errors.from_grpc(unavailable, "compute", "ServiceUnreachable")) is (
        errors.ServiceUnreachable
    )
    # A service answered that its cloud or array is down: an answer, retried as such.
    assert type(errors.from_grpc(unavailable, "region down", "ServiceUnavailable")) is (
        errors.ServiceUnavailable
    )
