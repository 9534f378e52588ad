"""The `[helpdesk]` table of a bot definition: triage, drafts, auto-reply and handoff settings,
with per-hook overrides under `[helpdesk.hooks.<adapter>]` (same keys, merged over the defaults).

    [helpdesk]
    mode = "draft"                                   # "draft" (shadow mode) or "off"
    [helpdesk.categories]
    billing = ["I was charged twice", "refund my invoice"]
    login = ["I cannot log in", "password reset link does not work"]
    [helpdesk.handoff]
    group = "360012345"                              # the vendor's group / team / queue id
    [helpdesk.auto_reply]
    intents = ["login"]                              # categories that may be answered in public
    threshold = 0.8
    [helpdesk.hooks.freshdesk]                       # this adapter only
    handoff = { group = "42" }
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import ConfigError

DEFAULT_CATEGORIES: dict[str, list[str]] = {
    "billing": [
        "I was charged twice this month",
        "please refund my last invoice",
        "my credit card was billed the wrong amount",
        "how do I get a receipt for my payment",
    ],
    "login": [
        "I cannot log in to my account",
        "the password reset link does not work",
        "two factor code never arrives",
        "my account is locked",
    ],
    "bug": [
        "the app crashes when I open settings",
        "error 500 when I save the form",
        "the export button does nothing",
    ],
    "shipping": [
        "my order has not arrived yet",
        "where is my package",
        "the tracking number does not work",
    ],
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageConfig(Strict):
    enabled: bool = True
    min_category_score: float = Field(0.12, ge=0, le=1, description="below it: category 'other'")
    tags: bool = Field(True, description="write sb_* tags")
    priority: bool = Field(True, description="set the ticket priority from the urgency")
    note: bool = Field(True, description="the triage line with confidences in the internal note")


class DraftConfig(Strict):
    as_is: float = Field(0.9, ge=0, le=1, description="similarity from which a draft was sent as-is")
    edited: float = Field(0.45, ge=0, le=1, description="similarity from which it was edited, else discarded")
    max_tokens: int = Field(300, ge=16, le=2048)


class AutoReplyConfig(Strict):
    intents: list[str] = Field(default_factory=list, description="categories promoted to public replies")
    threshold: float = Field(0.8, ge=0, le=1, description="category confidence needed")
    require_citations: bool = True


class HandoffConfig(Strict):
    group: str = Field("", description="vendor group/team id the ticket is assigned to; empty: tag only")
    on_request: bool = True
    negative_sentiment: float = Field(0.6, ge=0, le=1, description="negative confidence that hands off")
    max_bot_turns: int = Field(3, ge=1, le=50, description="bot answers without progress before handing off")
    min_confidence: float = Field(0.1, ge=0, le=1, description="category confidence below which it hands off")


class HelpdeskSkillsConfig(Strict):
    mode: Literal["draft", "off"] = "draft"
    categories: dict[str, list[str]] = Field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    urgent_cues: list[str] = Field(default_factory=list, description="extra words that mean urgent")
    triage: TriageConfig = TriageConfig()
    drafts: DraftConfig = DraftConfig()
    auto_reply: AutoReplyConfig = AutoReplyConfig()
    handoff: HandoffConfig = HandoffConfig()


class HelpdeskSection(HelpdeskSkillsConfig):
    hooks: dict[str, dict[str, Any]] = Field(default_factory=dict)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "categories":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _problems(exc: ValidationError, prefix: str) -> list[str]:
    return [
        f"key '{prefix}.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
        + (" — fix: remove it or check its spelling" if e["type"] == "extra_forbidden" else "")
        for e in exc.errors()
    ]


class HelpdeskSettings:
    """The validated section; `for_adapter(name)` gives one hook's effective settings."""

    def __init__(self, data: Mapping[str, Any], *, source: str = "bot definition") -> None:
        try:
            section = HelpdeskSection.model_validate(dict(data))
        except ValidationError as exc:
            raise ConfigError(_problems(exc, "helpdesk"), source=source) from None
        self.default = HelpdeskSkillsConfig.model_validate(section.model_dump(exclude={"hooks"}))
        self._hooks: dict[str, HelpdeskSkillsConfig] = {}
        base = self.default.model_dump()
        for name, override in section.hooks.items():
            try:
                self._hooks[name] = HelpdeskSkillsConfig.model_validate(_merge(base, override))
            except ValidationError as exc:
                raise ConfigError(_problems(exc, f"helpdesk.hooks.{name}"), source=source) from None
        for name, config in {"": self.default, **self._hooks}.items():
            unknown = set(config.auto_reply.intents) - set(config.categories)
            if unknown:
                where = f"helpdesk.hooks.{name}" if name else "helpdesk"
                raise ConfigError(
                    f"key '{where}.auto_reply.intents': {sorted(unknown)} are not categories — fix: use "
                    f"one of {sorted(config.categories)}",
                    source=source,
                )

    def for_adapter(self, name: str) -> HelpdeskSkillsConfig:
        return self._hooks.get(name, self.default)


_CACHE: dict[int, tuple[Any, HelpdeskSettings]] = {}


def settings_of(bot: Any, *, source: str = "bot definition") -> HelpdeskSettings:
    """The bot definition's settings, validated once per definition object."""
    cached = _CACHE.get(id(bot))
    if cached is not None and cached[0] is bot:
        return cached[1]
    settings = HelpdeskSettings(getattr(bot, "helpdesk", {}) or {}, source=source)
    _CACHE[id(bot)] = (bot, settings)
    return settings
