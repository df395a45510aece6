"""`python -m bot`: run the Telegram bot (long polling, or `--webhook` on $PORT), or only an
outbox sender (`--sender-only`) beside it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.logging_setup import configure_logging, secrets_of
from digests.config import Settings

log = logging.getLogger("bot")
DEFAULT_WEBHOOK_PATH = "telegram"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="serve a webhook on $PORT (needs WEBHOOK_URL; WEBHOOK_SECRET recommended)",
    )
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING (default INFO)")
    parser.add_argument(
        "--sender-only",
        action="store_true",
        help="only send queued messages; receive no updates (run beside the bot process)",
    )
    parser.add_argument(
        "--sender-lease",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long claimed messages stay this process's without renewal; after a crash, "
        "how long until another sender takes them (default 60)",
    )
    parser.add_argument(
        "--poll-timeout",
        type=int,
        default=10,
        help="long-poll seconds; a stop waits for the current poll (default 10)",
    )
    return parser


def webhook_route(webhook_url: str) -> tuple[str, str]:
    """(path to listen on, full URL to register): a bare host gets the path /telegram."""
    path = urlsplit(webhook_url).path.strip("/")
    if path:
        return path, webhook_url
    return DEFAULT_WEBHOOK_PATH, webhook_url.rstrip("/") + "/" + DEFAULT_WEBHOOK_PATH


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"kpu-digest: invalid configuration: {problems}", file=sys.stderr)
        return 2
    token = (
        settings.telegram_bot_token.get_secret_value().strip()
        if settings.telegram_bot_token
        else ""
    )
    if not token:
        print(
            "kpu-digest: TELEGRAM_BOT_TOKEN is not set; put the token from @BotFather in the "
            "environment or .env",
            file=sys.stderr,
        )
        return 2
    if args.webhook and not settings.webhook_url:
        print("kpu-digest: --webhook needs WEBHOOK_URL (the public https URL)", file=sys.stderr)
        return 2
    configure_logging(args.log_level.upper(), secrets_of(token))

    if args.sender_only:
        from bot.sender_worker import run_sender

        asyncio.run(run_sender(settings, lease_seconds=args.sender_lease))
        return 0

    from bot.app import ALLOWED_UPDATES, build_application

    application = build_application(settings, sender_lease_seconds=args.sender_lease)
    if args.webhook:
        assert settings.webhook_url is not None
        path, url = webhook_route(settings.webhook_url)
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)  # registered anew on every start, so random is fine
        )
        log.info("starting webhook on port %d, path /%s", settings.port, path)
        application.run_webhook(
            listen="0.0.0.0",
            port=settings.port,
            url_path=path,
            webhook_url=url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        log.info(
            "starting long polling against %s", urlsplit(settings.telegram_api_base_url).netloc
        )
        application.run_polling(allowed_updates=ALLOWED_UPDATES, timeout=args.poll_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
