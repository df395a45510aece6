"""`python -m bot`: run the Telegram bot (long polling, or `--webhook` on $PORT), or only an
outbox sender (`--sender-only`) beside it.

Start-up failures end in one line on stderr naming what to fix, never a traceback and never the
token: a token Telegram refuses (exit 2), a database that cannot be used (exit 1). A Bot API
that does not answer yet is waited for, with backoff, instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import signal
import sys
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.logging_setup import RedactingFilter, configure_logging, secrets_of
from digests.config import Settings

log = logging.getLogger("bot")
DEFAULT_WEBHOOK_PATH = "telegram"
# Waiting for a Bot API that does not answer at start: 1 s, doubling, at most a minute apart.
START_RETRY_FIRST, START_RETRY_CAP = 1.0, 60.0


class StartupError(Exception):
    """A start-up failure the operator must fix; its text is the one line printed."""

    def __init__(self, line: str, exit_code: int = 1) -> None:
        super().__init__(line)
        self.exit_code = exit_code


def build_parser(prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__)
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


async def wait_for_bot_api(settings: Settings, *, first: float = START_RETRY_FIRST) -> None:
    """getMe until the Bot API answers: a refused token is a StartupError (exit 2), a Bot API
    that is down or unreachable is retried with backoff, logged once when it starts failing
    and once when it answers. Returns early (quietly) on SIGTERM or SIGINT."""
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError
    from telegram.request import HTTPXRequest

    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        request=HTTPXRequest(
            proxy=settings.outbound_proxy or None, httpx_kwargs={"trust_env": False}
        ),
    )
    api = urlsplit(settings.telegram_api_base_url).netloc
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    delay, failing = first, False
    try:
        while not stop.is_set():
            try:
                await bot.get_me()
            except InvalidToken as exc:
                raise StartupError(
                    f"the Bot API at {api} refused TELEGRAM_BOT_TOKEN ({_reason(exc)}); "
                    "check the token from @BotFather",
                    exit_code=2,
                ) from None
            except NetworkError as exc:
                if not failing:
                    log.warning("Bot API at %s not reachable (%s); retrying with backoff", api, exc)
                    failing = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, START_RETRY_CAP)
                continue
            if failing:
                log.warning("Bot API at %s answers again; starting", api)
            return
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)
        with contextlib.suppress(Exception):
            await bot.shutdown()
    raise KeyboardInterrupt  # stopped while waiting: leave as a stop signal would


def _reason(exc: BaseException) -> str:
    """PTB's InvalidToken text names the token; say only what Telegram answered."""
    text = str(exc)
    return "Unauthorized" if "rejected" in text or "`" in text else text


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """(one line, exit code) for anything that ended the start-up."""
    from telegram.error import InvalidToken

    if isinstance(exc, StartupError):
        return str(exc), exc.exit_code
    if isinstance(exc, InvalidToken):
        return "Telegram refused TELEGRAM_BOT_TOKEN; check the token from @BotFather", 2
    from digests.store.db import DatabaseVanished
    from digests.store.outage import describe, is_unavailable

    if isinstance(exc, DatabaseVanished):
        return str(exc), 1
    if is_unavailable(exc):
        return f"the database is unavailable ({describe(exc)}); check DATABASE_URL", 1
    return f"could not start: {describe(exc)}", 1


def main(argv: list[str] | None = None, prog: str = "python -m bot") -> int:
    args = build_parser(prog).parse_args(argv)
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
    if token and any(ch.isspace() or not ch.isprintable() for ch in token):
        print(
            "kpu-digest: TELEGRAM_BOT_TOKEN holds spaces or control characters; put only the "
            "token from @BotFather there",
            file=sys.stderr,
        )
        return 2
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
    redact = RedactingFilter(secrets_of(token)).redact
    try:
        return run(args, settings)
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        line, code = describe_failure(exc)
        log.debug("start-up failed", exc_info=exc)  # the whole story, masked, at --log-level DEBUG
        print(f"kpu-digest: {redact(line)}", file=sys.stderr)
        return code


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Wait for the Bot API, then run what the arguments ask for until stopped."""
    asyncio.run(wait_for_bot_api(settings))
    if args.sender_only:
        from bot.sending.worker import run_sender

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
            bootstrap_retries=-1,  # Telegram down between the check above and here: wait
        )
    else:
        log.info(
            "starting long polling against %s", urlsplit(settings.telegram_api_base_url).netloc
        )
        application.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            timeout=args.poll_timeout,
            bootstrap_retries=-1,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
