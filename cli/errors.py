"""The CLI's exit codes and the one exception it stops on: every failure the CLI knows about is a
`CliError` carrying its message (one line, never a secret) and its exit code."""

from __future__ import annotations

EXIT_OK = 0
# The gateway refused or failed the request (any 4xx/5xx but 401), or a name resolves to
# no group, server or VM (or to more than one).
EXIT_REFUSED = 1
# Click's own code for a wrong command line.
EXIT_USAGE = 2
# An operation waited on ended, but not `succeeded`.
EXIT_NOT_SUCCEEDED = 3
# No credentials, Keystone refuses them or does not answer, the gateway does not answer or
# does not accept the token.
EXIT_UNREACHABLE = 4
# Ctrl-C (as a shell reports SIGINT); an operation already started goes on.
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure to report on stderr as `draas: <message>` and exit with `exit_code`."""

    exit_code = EXIT_REFUSED

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class Unreachable(CliError):
    """Cannot authenticate, or cannot reach Keystone or the gateway."""

    exit_code = EXIT_UNREACHABLE


class GatewayError(CliError):
    """The gateway answered with an error status (its problem document, RFC 9457)."""

    def __init__(
        self, status: int, title: str, detail: str, invalid_params: tuple[str, ...] = ()
    ) -> None:
        message = f"{status} {title}: {detail}" if detail else f"{status} {title}"
        # A token the gateway does not accept is a matter of credentials, not of the request.
        super().__init__(message, EXIT_UNREACHABLE if status == 401 else EXIT_REFUSED)
        self.status = status
        self.title = title
        self.detail = detail
        self.invalid_params = invalid_params


class NotSucceeded(CliError):
    """An operation waited on ended in another state than `succeeded`."""

    exit_code = EXIT_NOT_SUCCEEDED


def exit_code_for_state(state: str) -> int:
    """The exit code of a command that waited on an operation that ended in `state`."""
    return EXIT_OK if state == "succeeded" else EXIT_NOT_SUCCEEDED
