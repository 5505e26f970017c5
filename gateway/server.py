"""Runs the gateway: `python -m gateway` serves HTTP until SIGTERM (exit 0), exit 2 on bad
settings. The port file, when set, gets the bound port (port 0 picks a free one)."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from common.errors import DraasError
from common.logs import configure_logging
from common.process import EXIT_BAD_SETTINGS, EXIT_FAILED
from common.settings import SettingsError, load_settings
from common.telemetry import create_tracer_provider, install_global
from gateway.app import create_app
from gateway.settings import GatewaySettings


def bind(settings: GatewaySettings) -> socket.socket:
    """The listening socket (so the port is known before serving).

    Made with protocol IPPROTO_TCP, not 0: the connections it accepts inherit the protocol,
    and asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets that say they are
    TCP. With it on, each response on a kept-alive connection waits ~40 ms for the client's
    delayed ACK. SO_REUSEADDR lets a gateway restarted on its port bind while the connections
    of the one before linger in TIME_WAIT."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((settings.listen_host, settings.port))
    return listener


def main(argv: Sequence[str] | None = None) -> int:
    """The gateway's command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m gateway", description=__doc__)
    parser.add_argument("--config", type=Path, help="settings file (TOML)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(GatewaySettings, args.config)
    except SettingsError as error:
        print(f"draas-gateway: cannot start: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    configure_logging("gateway", settings.site, settings.log_level, settings.log_format)
    provider = create_tracer_provider("gateway", settings.site)
    install_global(provider)
    app = create_app(settings, provider)
    try:
        # The audit trail's database, before serving: no change may be made unaudited.
        app.state.audit.open()
    except DraasError as error:
        print(f"draas-gateway: cannot start: {error}", file=sys.stderr)
        provider.shutdown()
        return EXIT_FAILED
    listener = bind(settings)
    port = listener.getsockname()[1]
    if settings.port_file is not None:
        settings.port_file.parent.mkdir(parents=True, exist_ok=True)
        scratch = settings.port_file.with_suffix(".tmp")
        scratch.write_text(str(port))
        scratch.replace(settings.port_file)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        )
    )
    try:
        server.run(sockets=[listener])
    finally:
        provider.shutdown()
        if settings.port_file is not None:
            settings.port_file.unlink(missing_ok=True)
    return 0
