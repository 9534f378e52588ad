"""The `switchboard` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence

from bots.preflight import check_all
from core import logs
from core.botdef import bot_path, load_bot
from core.errors import ConfigError, PortInUseError
from core.settings import Settings

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _settings(args: argparse.Namespace) -> Settings:
    """The environment, with the command line's --bot/--host/--port on top."""
    overrides = {
        "SWITCHBOARD_BOT": getattr(args, "bot", None),
        "SWITCHBOARD_HTTP_HOST": getattr(args, "host", None),
        "SWITCHBOARD_HTTP_PORT": None if getattr(args, "port", None) is None else str(args.port),
    }
    given = {key: value for key, value in overrides.items() if value}
    return Settings.from_env({**os.environ, **given}) if given else Settings.from_env()


def _refuse(problems: list[str]) -> int:
    print("Configuration problems:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 2


def _local_workers(args: argparse.Namespace, settings: Settings) -> int:
    """--workers N, else 1 on the private Redis and 0 on a configured one."""
    if args.workers is not None:
        return int(args.workers)
    return 0 if settings.redis_url else 1


def _hub_problems(settings: Settings, workers: int) -> list[str]:
    """What `run`/`chat` refuse to start with: `check`'s findings, the model files only when a
    worker runs on this machine (remote workers check their own)."""
    env = {**os.environ, "SWITCHBOARD_BOT": settings.bot}
    return check_all(env, models=workers > 0)


def cmd_run(args: argparse.Namespace) -> int:
    from bots.runner import serve

    settings = _settings(args)
    workers = _local_workers(args, settings)
    problems = _hub_problems(settings, workers)
    if problems:
        return _refuse(problems)
    asyncio.run(serve(settings, workers=workers, log_level=args.log_level))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bots.runner import chat

    settings = _settings(args)
    workers = _local_workers(args, settings)
    problems = _hub_problems(settings, workers)
    if problems:
        return _refuse(problems)
    log_file = logs.to_file(logs.chat_log_path(), args.log_level, logs.log_format())
    print(f"(logs go to {log_file})", flush=True)
    asyncio.run(chat(settings, args.user, workers=workers, log_level=args.log_level, log_file=log_file))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    env = {**os.environ, "SWITCHBOARD_BOT": args.bot} if args.bot else None
    problems = check_all(env)
    if problems:
        return _refuse(problems)
    settings = _settings(args)
    print(f"OK: bot '{settings.bot}' ({bot_path(settings.bot)}), its models and settings are valid.")
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


def cmd_discord_sync_commands(args: argparse.Namespace) -> int:
    """`switchboard discord sync-commands [--guild ID]`: register /ask and /switchboard, only
    when Discord has something else (200 creates per day per guild)."""
    from bots.discord_tools import sync_commands

    return asyncio.run(sync_commands(_settings(args), args.guild))


def cmd_telegram(args: argparse.Namespace) -> int:
    """`switchboard telegram set-webhook URL | delete-webhook | webhook-info`."""
    from adapters.telegram import TelegramConfig
    from adapters.telegram.setup import SetupError, delete_webhook, set_webhook, webhook_info

    config = TelegramConfig.from_env(os.environ)
    try:
        if args.telegram_command == "set-webhook":
            base = args.url or os.environ.get("SWITCHBOARD_PUBLIC_URL") or ""
            url = asyncio.run(set_webhook(config, base, drop_pending=args.drop_pending_updates))
            print(f"Webhook set: Telegram now sends updates to {url}")
        elif args.telegram_command == "delete-webhook":
            asyncio.run(delete_webhook(config, drop_pending=args.drop_pending_updates))
            print("Webhook deleted: start the hub without TELEGRAM_WEBHOOK_SECRET to long-poll.")
        else:
            for key, value in asyncio.run(webhook_info(config)).items():
                print(f"{key}: {value}")
    except SetupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def cmd_helpdesk_setup(args: argparse.Namespace) -> int:
    """`switchboard helpdesk setup <vendor> [--url …] [--create]`: the webhook configuration."""
    from bots.helpdesk_tools import run_setup, target_for

    env = dict(os.environ)
    target = target_for(args.vendor, env, url=args.url, account=args.account, jql=args.jql)
    return asyncio.run(run_setup(args.vendor, env, target, create=args.create, as_json=args.json))


def cmd_knowledge(args: argparse.Namespace) -> int:
    """`switchboard knowledge index | search "…"`: the bot's document index."""
    from bots import knowledge_tools

    bot = _settings(args).bot
    if args.knowledge_command == "index":
        return knowledge_tools.index(bot)
    return knowledge_tools.search(bot, args.query, args.limit)


Command = Callable[[argparse.Namespace], int]


BOT_HELP = (
    "bot definition: a name in bots/ or the path of a .toml file (default: $SWITCHBOARD_BOT, else assistant)"
)
LOG_HELP = f"log level: one of {', '.join(LOG_LEVELS)} (default: $SWITCHBOARD_LOG_LEVEL, else INFO)"
WORKERS_HELP = (
    "model workers to start and supervise here (default: 1 on the private Redis, 0 when "
    "SWITCHBOARD_REDIS_URL is set: run `switchboard worker` yourself)"
)


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("switchboard")
    except PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def build_parser() -> argparse.ArgumentParser:
    # --log-level works before or after the subcommand; SUPPRESS keeps a subcommand's
    # absent option from hiding one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--log-level", default=argparse.SUPPRESS, metavar="LEVEL", help=LOG_HELP)
    parser = argparse.ArgumentParser(
        prog="switchboard", description="Switchboard: one chat bot on many platforms", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"switchboard {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    run = command("run", "start the hub: web chat, REST API and the configured platforms")
    run.add_argument("--bot", help=BOT_HELP)
    run.add_argument("--host", help="address to listen on (default: $SWITCHBOARD_HTTP_HOST, else 127.0.0.1)")
    run.add_argument(
        "--port", type=int, help="port to listen on (default: $SWITCHBOARD_HTTP_PORT, else 8080)"
    )
    run.add_argument("--workers", type=int, metavar="N", help=WORKERS_HELP)
    run.set_defaults(func=cmd_run)

    chat = command("chat", "talk to the bot in this terminal (logs go to a file)")
    chat.add_argument("--bot", help=BOT_HELP)
    chat.add_argument(
        "--user", default="operator", help="your user id: you are console:<user> (default operator)"
    )
    chat.add_argument("--workers", type=int, metavar="N", help=WORKERS_HELP)
    chat.set_defaults(func=cmd_chat)

    check = command("check", "validate the bot, its model files, the settings and Redis, then exit")
    check.add_argument("--bot", help=BOT_HELP)
    check.set_defaults(func=cmd_check)

    worker = command("worker", "serve the bot's model from the queue (run one per core or GPU)")
    worker.add_argument("--bot", help=BOT_HELP)
    worker.add_argument("--model", help="which of the bot's models to serve (default: the first)")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.set_defaults(func=cmd_worker)

    pii = command("pii", "PII tools").add_subparsers(dest="pii_command", required=True, metavar="TOOL")
    pii_mask = pii.add_parser(
        "mask", help='mask JSON lines {"text": ...} from stdin, as the bot would', parents=[common]
    )
    pii_mask.add_argument("--bot", help=BOT_HELP)
    pii_mask.set_defaults(func=cmd_pii_mask)

    knowledge = command("knowledge", "the bot's documents: build the index, try a question").add_subparsers(
        dest="knowledge_command", required=True, metavar="TOOL"
    )
    knowledge_index = knowledge.add_parser(
        "index", help="index the [knowledge] sources (only what changed)", parents=[common]
    )
    knowledge_search = knowledge.add_parser(
        "search", help="show what a question finds, and what an answer would cite", parents=[common]
    )
    knowledge_search.add_argument("query", help='the question, e.g. "how do I connect Slack?"')
    knowledge_search.add_argument("--limit", type=int, default=5, help="passages to show (default 5)")
    for parser_ in (knowledge_index, knowledge_search):
        parser_.add_argument("--bot", help=BOT_HELP)
        parser_.set_defaults(func=cmd_knowledge)

    slack = command("slack", "Slack tools").add_subparsers(
        dest="slack_command", required=True, metavar="TOOL"
    )
    slack_manifest = slack.add_parser(
        "manifest", help="print a Slack app manifest for this hub", parents=[common]
    )
    slack_manifest.add_argument("--url", help="the hub's public https URL (default SWITCHBOARD_PUBLIC_URL)")
    slack_manifest.add_argument("--name", default="Switchboard", help="the app's name in Slack")
    slack_manifest.add_argument("--command-name", default="/switchboard", help="the slash command")
    slack_manifest.add_argument("--socket-mode", action="store_true", help="no public URL: use Socket Mode")
    slack_manifest.set_defaults(func=cmd_slack_manifest)

    discord = sub.add_parser("discord", help="Discord tools").add_subparsers(
        dest="discord_command", required=True
    )
    sync = discord.add_parser("sync-commands", help="register the slash commands (only when they changed)")
    sync.add_argument("--guild", help="one server's id (instant, for development); default: global")
    sync.add_argument("--bot", help="bot definition name or .toml path (default SWITCHBOARD_BOT)")
    sync.set_defaults(func=cmd_discord_sync_commands)

    telegram = sub.add_parser("telegram", help="Telegram tools").add_subparsers(
        dest="telegram_command", required=True
    )
    set_hook = telegram.add_parser("set-webhook", help="send updates to this hub (webhook mode)")
    set_hook.add_argument(
        "url", nargs="?", help="the hub's public https base URL (default SWITCHBOARD_PUBLIC_URL)"
    )
    delete_hook = telegram.add_parser("delete-webhook", help="stop the webhook (the hub long-polls)")
    for parser_ in (set_hook, delete_hook):
        parser_.add_argument("--drop-pending-updates", action="store_true", help="discard queued updates")
        parser_.set_defaults(func=cmd_telegram)
    info = telegram.add_parser("webhook-info", help="what Telegram has registered")
    info.set_defaults(func=cmd_telegram)

    from adapters.helpdesk.setup import PLANS

    desk = command("helpdesk", "helpdesk tools").add_subparsers(
        dest="helpdesk_command", required=True, metavar="TOOL"
    )
    desk_setup = desk.add_parser(
        "setup", help="print (or --create) the webhook and trigger configuration", parents=[common]
    )
    desk_setup.add_argument("vendor", choices=sorted(PLANS), help="the helpdesk")
    desk_setup.add_argument("--url", help="the hub's public URL (default SWITCHBOARD_PUBLIC_URL)")
    desk_setup.add_argument(
        "--create", action="store_true", help="create them through the API (Zendesk, Chatwoot, Zammad)"
    )
    desk_setup.add_argument("--account", help="Chatwoot: the account id (default CHATWOOT_ACCOUNT_ID)")
    desk_setup.add_argument("--jql", help="Jira: the issues to send, e.g. 'project = SUP'")
    desk_setup.add_argument("--json", action="store_true", help="print one JSON document")
    desk_setup.set_defaults(func=cmd_helpdesk_setup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    given = getattr(args, "log_level", None) or os.environ.get("SWITCHBOARD_LOG_LEVEL") or "INFO"
    level = given.upper()
    if level not in LOG_LEVELS:
        print(
            f"switchboard: log level {given!r} (from --log-level or SWITCHBOARD_LOG_LEVEL) is "
            f"not one of {', '.join(LOG_LEVELS)} — fix: use one of those",
            file=sys.stderr,
        )
        return 2
    args.log_level = level
    try:
        fmt = logs.log_format()
    except ValueError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 2
    logs.configure(level, fmt=fmt)
    func: Command = args.func
    try:
        return func(args)
    except ConfigError as exc:
        return _refuse([f"{exc.source}: {problem}" for problem in exc.problems])
    except PortInUseError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
