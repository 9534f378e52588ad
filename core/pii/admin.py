"""`pii reveal <placeholder>`: an admin sees one original value of this conversation.
The admin gate audits every call (user, command, placeholder, conversation)."""

from __future__ import annotations

import logging

from core.admin import AdminCommand, AdminContext
from core.metrics import Metrics
from core.pii.masker import scope_of
from core.pii.spans import PLACEHOLDER
from core.pii.vault import PlaceholderStore

log = logging.getLogger(__name__)

USAGE = "pii reveal <PLACEHOLDER>   e.g. pii reveal <EMAIL_ADDRESS_1>"


def reveal_command(store: PlaceholderStore, metrics: Metrics | None = None) -> AdminCommand:
    async def pii(ctx: AdminContext) -> str:
        if len(ctx.args) != 2 or ctx.args[0].lower() != "reveal":
            return f"Usage: {USAGE}"
        placeholder = ctx.args[1]
        if not PLACEHOLDER.fullmatch(placeholder):
            return f"'{placeholder}' is not a placeholder. Usage: {USAGE}"
        scope = scope_of(ctx.bot.name, ctx.event.conversation.key)
        values = await store.lookup(scope, [placeholder])
        if placeholder not in values:
            return f"{placeholder} is not a placeholder of this conversation, or it has expired."
        log.warning(
            "PII placeholder revealed to an admin",
            extra={"event_id": ctx.event.id, "platform": ctx.event.platform, "command": "pii"},
        )
        if metrics is not None:
            metrics.pii_reveals.labels(ctx.event.platform).inc()
        # Named without its brackets: the reply is restored on its way out like any other,
        # and the placeholder itself must stay readable as a name.
        return f"{placeholder.strip('<>')} = {values[placeholder]}"

    return AdminCommand("pii", USAGE, "show the original value behind a placeholder (audited)", pii)
