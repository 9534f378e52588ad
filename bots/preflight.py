"""What `switchboard check` (and `run`, before it starts anything) finds wrong with a deployment:
the bot definition, the settings, the model files and backends, the vault key and Redis.

Every problem is one line naming where it is (file or environment), what is wrong and the fix.
Nothing here loads a model: files are read with `gguf.GGUFReader` / a GGML header check and
backends are looked up with `importlib.util.find_spec`, never imported.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

from bots import registry
from core.admin import check_command_namespace, default_commands
from core.botdef import BotDefinition, bot_path, load_bot, with_deployment
from core.errors import ConfigError
from core.model.config import BUILTIN_SMOLLM2, ENV_FIELDS, ModelSpec
from core.model.errors import ModelUnavailableError
from core.routing import Router
from core.settings import Settings
from core.skills import collect
from skills.bridge import bridges_of
from skills.helpdesk import wiring as helpdesk_skills
from skills.helpdesk.config import settings_of

BACKEND_LIBRARIES = {
    "ctransformers": (
        "ctransformers",
        "pip install 'switchboard[worker]' (a hub image has no model library: check the model where "
        "its workers run)",
    ),
    "llama_cpp": ("llama_cpp", "pip install 'switchboard[llama]' (compiles llama.cpp, a few minutes)"),
}


def model_problems(bot: BotDefinition) -> list[str]:
    """Each model of `bot` that a worker on this machine could not load, one line each."""
    problems: list[str] = []
    for spec in bot.model.specs():
        try:
            check_model(spec)
        except ModelUnavailableError as exc:
            problems.append(f"model '{spec.name}': {exc}")
    return problems


def check_model(spec: ModelSpec) -> None:
    """Raise a ModelUnavailableError (with its fix) when `spec` cannot be served here."""
    from bots.backends.files import inspect
    from core.model.errors import BackendUnavailableError, ModelFileError

    library = BACKEND_LIBRARIES.get(spec.backend or "")
    if library is not None and importlib.util.find_spec(library[0]) is None:
        raise BackendUnavailableError(f"backend {spec.backend} is not installed — fix: {library[1]}")
    if spec.backend == "openai":
        if not spec.base_url.startswith(("http://", "https://")):
            raise BackendUnavailableError(
                "backend openai needs base_url, e.g. http://127.0.0.1:8000/v1 — fix: set [model] "
                "base_url (or SWITCHBOARD_MODEL_BASE_URL)"
            )
        return
    if spec.path == BUILTIN_SMOLLM2:
        from bots.backends.smollm2 import source_file

        inspect(source_file())
        return
    if spec.path:
        inspect(Path(spec.path).expanduser())
        return
    if not spec.repo:
        raise ModelFileError("no path and no repo — fix: set [model] path to a .gguf file")


def vault_problems(env: Mapping[str, str]) -> list[str]:
    from core.pii import vaultkey

    try:
        if env.get(vaultkey.ENV_NAME):
            vaultkey.decode(env[vaultkey.ENV_NAME], source="environment")
        elif (path := vaultkey.default_key_file()).is_file():
            vaultkey.decode(path.read_text(encoding="utf-8"), source=str(path))
    except ConfigError as exc:
        return [f"{exc.source}: {p}" for p in exc.problems]
    return []


def admin_problems(env: Mapping[str, str]) -> list[str]:
    """The admin dashboard's settings (a token too short, a bad session lifetime)."""
    from core.adminweb import AdminWebConfig

    try:
        AdminWebConfig.from_env(env)
    except ConfigError as exc:
        return [f"{exc.source}: {p}" for p in exc.problems]
    return []


def redis_problems(settings: Settings) -> list[str]:
    if not settings.redis_url:
        return []
    import redis

    try:
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        return [
            f"environment: SWITCHBOARD_REDIS_URL does not answer ({type(exc).__name__}) — "
            "fix: start Redis or correct the URL, or unset it to use a private Redis"
        ]
    return []


def check_all(env: Mapping[str, str] | None = None, *, models: bool = True) -> list[str]:
    """Every problem with the configuration, readable; empty when all is well."""
    env = os.environ if env is None else env
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        return [str(exc)]
    source = str(bot_path(settings.bot))
    problems: list[str] = []
    try:
        bot = with_deployment(load_bot(settings.bot), env)
        skills = collect(bot.skills, source=source, search_path=bot_path(settings.bot).parent)
        Router(skills, fallback=bot.fallback, source=source)
        bridges_of(bot, source=source)
        if helpdesk_skills.wanted(bot):
            settings_of(bot, source=source)  # [helpdesk]: every key, each hook's override
        check_command_namespace(skills, default_commands(), source=source)
        problems.extend(registry.check(bot, settings.extra, source=source))
        if bot.knowledge.enabled:
            from skills.knowledge.setup import roots_of

            roots_of(bot, bot_path(settings.bot).parent, source=source)
        if models:
            overridden = [key for key in ENV_FIELDS if env.get(key)]
            where = f"{source} (with {', '.join(overridden)} from the environment)" if overridden else source
            problems.extend(f"{where}: {p}" for p in model_problems(bot))
    except ConfigError as exc:
        problems.extend(f"{exc.source}: {p}" for p in exc.problems)
    problems.extend(vault_problems(env))
    problems.extend(admin_problems(env))
    problems.extend(redis_problems(settings))
    return problems
