"""``python -m infron_integrations.sandbox`` and ``infron sandbox``: one parser, one set of options.

``infron sandbox`` hands its arguments to :func:`main` unchanged, so both commands take exactly
the options defined here. Every failure (a bad option, a port out of range or in use, a host that
is not loopback or cannot be bound) is one ``error:`` line with a hint on stderr and a non-zero
exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading
from typing import NoReturn

from .config import DEFAULT_API_KEY, SandboxConfig
from .server import LOOPBACK_HOSTS, SandboxServer

DEFAULT_PORT = 8787
EXIT_FAILED = 1
"""The server could not start (port in use, host not bindable)."""
EXIT_USAGE = 2
"""The options are wrong (argparse's own convention)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line with a hint instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"invalid port {text!r}: use a number from 1 to 65535, or 0 to pick a free one"
        )
    return port


def build_parser(prog: str = "python -m infron_integrations.sandbox") -> argparse.ArgumentParser:
    """The options of both sandbox commands."""
    parser = _Parser(
        prog=prog,
        description="Serve the local, deterministic Infron gateway emulator until Ctrl-C.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"accepted API key (repeatable; default {DEFAULT_API_KEY})",
    )
    parser.add_argument("--down", default="", help="comma-separated provider slugs to mark down")
    parser.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow binding an address other machines can reach (the sandbox has no real auth)",
    )
    return parser


def _bind_failure(exc: OSError, host: str, port: int) -> str:
    """One line saying why the socket could not be bound, and what to do."""
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use; stop the other server "
            "or pick another port with --port (0 picks a free one)"
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"cannot listen on {where}: permission denied; use a port above 1023"
    reason = exc.strerror or str(exc)
    return f"cannot listen on {where}: {reason}; check --host (default 127.0.0.1)"


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr, flush=True)
    return code


def main(argv: list[str] | None = None, *, prog: str | None = None) -> int:
    """Parse ``argv``, serve until SIGINT/SIGTERM; returns the exit code."""
    parser = build_parser(prog) if prog else build_parser()
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK_HOSTS and not args.allow_non_loopback:
        return _fail(
            f"refusing to bind {args.host!r}, which is not a loopback address: "
            f"pass --allow-non-loopback to serve other machines (see {parser.prog} --help)",
            EXIT_USAGE,
        )
    config = SandboxConfig(
        api_keys=tuple(args.api_keys or (DEFAULT_API_KEY,)),
        down_providers=frozenset(p.strip() for p in args.down.split(",") if p.strip()),
    )
    server = SandboxServer(
        config, host=args.host, port=args.port, allow_non_loopback=args.allow_non_loopback
    )
    try:
        server.start()
    except OSError as exc:  # includes socket.gaierror for a host name that does not resolve
        return _fail(_bind_failure(exc, args.host, args.port), EXIT_FAILED)
    except (RuntimeError, TimeoutError) as exc:
        return _fail(f"the sandbox did not start: {exc}", EXIT_FAILED)
    return _serve(server)


def _serve(server: SandboxServer) -> int:
    """Print where the sandbox listens, then wait for SIGINT or SIGTERM."""
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Infron sandbox listening on {server.base_url} (API key: {server.api_key})", flush=True)
    print(server.base_url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        print("Infron sandbox stopped.", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
