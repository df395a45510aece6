"""`kpu-digest`: the operator's command line. Each sub-command lives in its own module."""

from __future__ import annotations

import argparse
import asyncio
import sys

from digests.config import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kpu-digest", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    summarize = commands.add_parser("summarize", help="summarise pages or text files")
    summarize.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    summarize.add_argument("--json", action="store_true", help="one JSON object per input per line")

    explain = commands.add_parser("explain", help="why an article got its divisions")
    explain.add_argument("input", metavar="PATH_OR_URL")

    crawl = commands.add_parser("crawl", help="crawl the sources (every CRAWL_INTERVAL_MINUTES)")
    crawl.add_argument("--once", action="store_true", help="crawl once, print a report, exit")

    commands.add_parser("sources", help="print the sources and their health")

    preview = commands.add_parser("preview", help="print the digest of stored articles")
    preview.add_argument("--division", metavar="SLUG", help="only this division")
    preview.add_argument("--since", default="24h", help="how far back: 24h, 3d, 90m (default 24h)")

    demo = commands.add_parser("demo", help="offline demo on the bundled sample site")
    demo.add_argument("--database", help="database URL (default: a fresh temporary SQLite file)")

    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])

    # Its options (--webhook, --sender-only, --log-level, …) are python -m bot's own: `main`
    # hands everything after "bot" to it unparsed.
    commands.add_parser(
        "bot", help="run the Telegram bot (same as python -m bot, same options)", add_help=False
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bot"]:
        from bot.__main__ import main as bot_main

        return bot_main(argv[1:], prog="kpu-digest bot")
    args = build_parser().parse_args(argv)
    if args.command == "summarize":
        from digests.cli.summarize import main as summarize

        return summarize(args.inputs, args.json)
    if args.command == "explain":
        from digests.cli.explain import main as explain_main

        return explain_main(args.input)
    settings = Settings()
    if args.command == "db":
        from digests.store.db import DatabaseVanished, upgrade_schema

        try:
            upgrade_schema(settings.database_url)
        except DatabaseVanished as exc:
            print(f"kpu-digest: {exc}", file=sys.stderr)
            return 1
        print("database is at the newest schema")
        return 0
    if args.command == "crawl":
        from digests.cli.crawl import run_crawl

        return asyncio.run(run_crawl(settings, once=args.once))
    if args.command == "sources":
        from digests.cli.crawl import print_sources

        return asyncio.run(print_sources(settings))
    if args.command == "preview":
        from digests.cli.preview import run_preview

        return asyncio.run(run_preview(settings, division=args.division, since=args.since))
    if args.command == "demo":
        from digests.cli.demo import run_demo

        return asyncio.run(run_demo(settings, database_url=args.database))
    return 2
