"""Bot definitions: `bots/<name>.toml`, validated with errors that name file, key and fix."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from core.errors import ConfigError
from core.knowledge import KnowledgeConfig
from core.model.config import ModelConfig, with_env
from core.pii.config import PiiConfig


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Limits(Strict):
    user_per_minute: int = Field(20, ge=1, description="messages one user may send a minute")
    conversation_per_minute: int = Field(60, ge=1, description="messages a minute per conversation")
    window_seconds: int = Field(60, ge=1, le=3600)
    dedup_seconds: int = Field(86_400, ge=60, description="how long an event id is remembered")


class MemoryConfig(Strict):
    turns: int = Field(10, ge=0, le=200, description="last N messages kept per conversation")
    ttl_seconds: int = Field(86_400, ge=60)
    max_chars: int = Field(2_000, ge=100, description="longest message kept in memory")


class AdapterConfig(BaseModel):
    """Per-adapter switch; adapters read their own extra keys."""

    model_config = ConfigDict(extra="allow", frozen=True)
    enabled: bool = True


class BotDefinition(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,40}$")
    persona: str = "You are a helpful, concise assistant."
    description: str = ""
    adapters: dict[str, AdapterConfig] = Field(default_factory=dict)
    skills: list[str] = Field(default_factory=list, min_length=1)
    fallback: str = "fallback"
    admins: list[str] = Field(default_factory=list)
    limits: Limits = Limits()
    memory: MemoryConfig = MemoryConfig()
    pii: PiiConfig = PiiConfig()
    model: ModelConfig = ModelConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    # `[helpdesk]`: triage, drafts, handoff (validated by skills.helpdesk.config when listed)
    helpdesk: dict[str, Any] = Field(default_factory=dict)

    @field_validator("admins")
    @classmethod
    def _admins_are_qualified(cls, admins: list[str]) -> list[str]:
        for admin in admins:
            platform, _, user = admin.partition(":")
            if not platform or not user:
                raise ValueError(f"admin {admin!r} must be 'platform:user_id', e.g. 'slack:U024BE7LH'")
        return admins

    @property
    def display_name(self) -> str:
        """How the bot names itself to people: "assistant" -> "Assistant"."""
        return self.name[:1].upper() + self.name[1:]

    def adapter_enabled(self, name: str, *, default: bool) -> bool:
        config = self.adapters.get(name)
        return default if config is None else config.enabled

    def is_admin(self, qualified_user: str) -> bool:
        return qualified_user in self.admins


BOTS_DIR = Path(__file__).resolve().parent.parent / "bots"


def _fix_for(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "remove it or check its spelling"
    if kind == "missing":
        return "add it"
    ctx = error.get("ctx") or {}
    if "ge" in ctx:
        return f"use a value >= {ctx['ge']}"
    if "le" in ctx:
        return f"use a value <= {ctx['le']}"
    if kind == "literal_error":
        return f"use one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return "use lowercase letters, digits, '-' or '_', starting with a letter"
    if kind in _FIX_BY_TYPE:
        return _FIX_BY_TYPE[kind]
    return "see README 'Configuration'"


_FIX_BY_TYPE = {
    "int_parsing": "use a whole number without quotes, e.g. 20",
    "int_type": "use a whole number without quotes, e.g. 20",
    "int_from_float": "use a whole number, e.g. 20",
    "bool_parsing": "use true or false (no quotes)",
    "bool_type": "use true or false (no quotes)",
    "string_type": 'use a quoted string, e.g. "text"',
    "list_type": 'use a list, e.g. ["skills.help"]',
    "dict_type": "use a [table] or an inline table { key = value }",
    "too_short": "add at least one entry",
    "value_error": "change the value as the message says",
}


def parse_bot(data: dict[str, Any], *, source: str) -> BotDefinition:
    try:
        return BotDefinition.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(top level)"
            problems.append(f"key '{key}': {error['msg']} — fix: {_fix_for(error)}")
        raise ConfigError(problems, source=source) from None


def bot_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        return candidate
    return BOTS_DIR / f"{name_or_path}.toml"


def load_bot(name_or_path: str) -> BotDefinition:
    """Load `bots/<name>.toml` (or a path to a .toml file)."""
    path = bot_path(name_or_path)
    if not path.is_file():
        known = sorted(p.stem for p in BOTS_DIR.glob("*.toml"))
        raise ConfigError(
            f"no bot definition at {path}; set SWITCHBOARD_BOT to one of {known} "
            "or to the path of a .toml file",
            source=str(path),
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc}) — fix the syntax", source=str(path)) from None
    data.setdefault("name", path.stem)
    return parse_bot(data, source=str(path))


def with_deployment(bot: BotDefinition, env: Mapping[str, str]) -> BotDefinition:
    """The bot as deployed: `SWITCHBOARD_MODEL_*` settings override its `[model]` section."""
    model = with_env(bot.model, env)
    return bot if model is bot.model else bot.model_copy(update={"model": model})
