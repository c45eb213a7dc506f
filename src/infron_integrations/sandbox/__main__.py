"""``python -m infron_integrations.sandbox --port N [--host 127.0.0.1] [--api-key K]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .config import DEFAULT_API_KEY, SandboxConfig
from .server import LOOPBACK_HOSTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infron_integrations.sandbox",
        description="Run the local, deterministic Infron gateway emulator.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        help=f"accepted API key (repeatable; default {DEFAULT_API_KEY})",
    )
    parser.add_argument("--down", default="", help="comma-separated provider slugs to mark down")
    parser.add_argument(
        "--allow-non-loopback", action="store_true", help="allow binding a non-loopback address"
    )
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK_HOSTS and not args.allow_non_loopback:
        parser.error(f"refusing to bind {args.host!r}; pass --allow-non-loopback to override")
    config = SandboxConfig(
        api_keys=tuple(args.api_keys or (DEFAULT_API_KEY,)),
        down_providers=frozenset(p.strip() for p in args.down.split(",") if p.strip()),
    )
    from .server import SandboxServer

    server = SandboxServer(
        config, host=args.host, port=args.port, allow_non_loopback=args.allow_non_loopback
    )
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    server.start()
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
