"""Run the stand-in as its own process: ``python -m tests.botapi --port 0 --rate 30``.

Prints one JSON line ``{"port": N, "base_url": ..., "token": ..., "control_url": ...}`` on
stdout once it listens, then serves until SIGTERM/SIGINT or POST /_control/shutdown.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from .ratelimit import RateLimits
from .server import BotApiServer
from .state import DEFAULT_TOKEN


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.botapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate", type=int, default=None, help="global sendMessage cap per second")
    parser.add_argument(
        "--per-chat-rate", type=float, default=None, help="per-chat sends per second"
    )
    parser.add_argument("--per-chat-burst", type=int, default=3)
    parser.add_argument("--per-group-per-minute", type=int, default=None)
    parser.add_argument("--state-file", default=None, help="append accepted sends (JSON lines)")
    parser.add_argument(
        "--lenient-html",
        action="store_true",
        help="accept a stray & or > the way Telegram does instead of refusing it",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    api = BotApiServer(
        args.token,
        host=args.host,
        port=args.port,
        limits=RateLimits(
            args.rate, args.per_chat_rate, args.per_chat_burst, args.per_group_per_minute
        ),
        state_file=args.state_file,
        strict_html=not args.lenient_html,
    )
    api.shutdown_requested = asyncio.Event()
    await api.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, api.shutdown_requested.set)
    info = {
        "port": api.port,
        "base_url": api.base_url,
        "token": api.token,
        "control_url": api.control_url,
    }
    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    await api.shutdown_requested.wait()
    await asyncio.sleep(0.05)  # let the shutdown request's answer go out
    await api.stop()


def main(argv: list[str] | None = None) -> None:
    asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
