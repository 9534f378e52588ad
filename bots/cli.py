"""The `switchboard` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

from core import logs
from core.botdef import bot_path, load_bot, with_deployment
from core.errors import ConfigError
from core.routing import Router
from core.settings import Settings
from core.skills import collect


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "bot", None):
        settings = Settings.from_env({**os.environ, "SWITCHBOARD_BOT": args.bot})
    return settings


def cmd_run(args: argparse.Namespace) -> int:
    from bots.runner import serve

    asyncio.run(serve(_settings(args)))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bots.runner import chat

    asyncio.run(chat(_settings(args), args.user))
    return 0


def check_all(env: dict[str, str] | None = None) -> list[str]:
    """Every problem with the current configuration, readable; empty when all is well."""
    problems: list[str] = []
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        return [str(exc)]
    source = str(bot_path(settings.bot))
    try:
        bot = with_deployment(load_bot(settings.bot), os.environ if env is None else env)
        skills = collect(bot.skills, source=source)
        Router(skills, fallback=bot.fallback, source=source)
    except ConfigError as exc:
        problems.extend(f"{exc.source}: {p}" for p in exc.problems)
    if settings.redis_url:
        import redis

        try:
            redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
        except Exception as exc:  # noqa: BLE001
            problems.append(
                f"environment: SWITCHBOARD_REDIS_URL does not answer ({type(exc).__name__}) — "
                "fix: start Redis or correct the URL, or unset it to use a private Redis"
            )
    return problems


def cmd_check(_args: argparse.Namespace) -> int:
    problems = check_all()
    if problems:
        print("Configuration problems:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    print(f"OK: bot '{settings.bot}' ({bot_path(settings.bot)}) and settings are valid.")
    return 0


def cmd_pii_mask(args: argparse.Namespace) -> int:
    """`switchboard pii mask`: mask JSON lines from stdin with the bot's PII policy."""
    from core.pii.tool import mask_lines

    bot = load_bot(_settings(args).bot)
    if not bot.pii.enabled:
        print(f"note: PII masking is off for bot '{bot.name}'; showing its policy anyway", file=sys.stderr)
    batch = 1 if sys.stdin.isatty() else 64
    return asyncio.run(mask_lines(sys.stdin, sys.stdout, bot.pii, batch=batch))


def cmd_worker(args: argparse.Namespace) -> int:
    """`switchboard worker`: load one model of the bot and serve its queue."""
    from bots.worker import run_worker
    from core.model.errors import ModelUnavailableError

    settings = _settings(args)
    try:
        return run_worker(settings, load_bot(settings.bot), args.model, burst=args.burst)
    except ModelUnavailableError as exc:
        print(f"The worker cannot serve its model: {exc}", file=sys.stderr)
        return 2


def cmd_slack_manifest(args: argparse.Namespace) -> int:
    """`switchboard slack manifest --url https://…`: the Slack app manifest to paste into Slack."""
    from adapters.slack.manifest import manifest_json

    url = args.url or os.environ.get("SWITCHBOARD_PUBLIC_URL")
    if not args.socket_mode and not (url or "").startswith("https://"):
        print(
            "Give the hub's public https URL: --url https://bot.example.com (or use --socket-mode)",
            file=sys.stderr,
        )
        return 2
    print(manifest_json(url, name=args.name, command=args.command_name, socket_mode=args.socket_mode))
    return 0


Command = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="switchboard", description="Switchboard chat hub")
    parser.add_argument("--log-level", default=os.environ.get("SWITCHBOARD_LOG_LEVEL", "INFO"))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the hub (web chat, REST API, configured adapters)")
    run.add_argument("--bot", help="bot definition name or .toml path (default SWITCHBOARD_BOT)")
    run.set_defaults(func=cmd_run)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument("--bot")
    chat.add_argument("--user", default="operator", help="your user id (console:<user>)")
    chat.set_defaults(func=cmd_chat)

    check = sub.add_parser("check", help="validate the configuration and exit")
    check.set_defaults(func=cmd_check)

    worker = sub.add_parser("worker", help="serve the bot's model from the queue (run one per core/GPU)")
    worker.add_argument("--bot", help="bot definition name or .toml path (default SWITCHBOARD_BOT)")
    worker.add_argument("--model", help="which of the bot's models to serve (default: the first)")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)

    pii = sub.add_parser("pii", help="PII tools").add_subparsers(dest="pii_command", required=True)
    pii_mask = pii.add_parser("mask", help='mask JSON lines {"text": ...} from stdin, as the bot would')
    pii_mask.add_argument("--bot", help="bot definition name or .toml path (default SWITCHBOARD_BOT)")
    pii_mask.set_defaults(func=cmd_pii_mask)

    slack = sub.add_parser("slack", help="Slack tools").add_subparsers(dest="slack_command", required=True)
    slack_manifest = slack.add_parser("manifest", help="print a Slack app manifest for this hub")
    slack_manifest.add_argument("--url", help="the hub's public https URL (default SWITCHBOARD_PUBLIC_URL)")
    slack_manifest.add_argument("--name", default="Switchboard", help="the app's name in Slack")
    slack_manifest.add_argument("--command-name", default="/switchboard", help="the slash command")
    slack_manifest.add_argument("--socket-mode", action="store_true", help="no public URL: use Socket Mode")
    slack_manifest.set_defaults(func=cmd_slack_manifest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(args.log_level.upper())
    func: Command = args.func
    try:
        return func(args)
    except ConfigError as exc:
        print("Configuration problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {exc.source}: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
