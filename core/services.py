"""What the composition root lends to skills, typed: `ctx.services.knowledge`, `.model`, and
any further service under a typed key (`ctx.services.find(HELPDESK)`), instead of a dict.

Each service is a Protocol here; its implementation lives where it belongs (the knowledge index
in `skills/knowledge`, the model service in `core/model`) and is plugged in by `bots/compose`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from core.knowledge import KnowledgeSearch

if TYPE_CHECKING:
    from core.admin import AdminCommands

T = TypeVar("T")


class ModelStatus(Protocol):
    async def available(self) -> bool:
        """Whether a question for the model would be answered now (a live worker serves it)."""


@dataclass(frozen=True, slots=True)
class ServiceKey(Generic[T]):
    """A typed name for a service the core does not know:
    `HELPDESK = ServiceKey[HelpdeskClient]("helpdesk")`, then `ctx.services.find(HELPDESK)`."""

    name: str


@dataclass(slots=True)
class Services:
    started_at: float = field(default_factory=time.time)
    admin_commands: AdminCommands | None = None
    knowledge: KnowledgeSearch | None = None  # the bot's document index ([knowledge] sources)
    model: ModelStatus | None = None  # None: the bot has no model
    _more: dict[str, Any] = field(default_factory=dict, repr=False)

    def provide(self, key: ServiceKey[T], value: T) -> None:
        self._more[key.name] = value

    def find(self, key: ServiceKey[T]) -> T | None:
        found: T | None = self._more.get(key.name)
        return found

    def get(self, name: str, default: Any = None) -> Any:
        """The old dict-style access (`ctx.services.get("started_at")`), kept for older skills."""
        value = getattr(self, name, None) if not name.startswith("_") else None
        if value is None:
            value = self._more.get(name, default)
        return value
