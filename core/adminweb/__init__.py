"""The admin dashboard at `/admin`: hub, Redis, queues, workers, recent turns and the audit
stream, and the chat's admin commands as buttons. Off (404) unless SWITCHBOARD_ADMIN_TOKEN is
set. See docs/admin.md."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from core.adminweb.actions import ACTOR, AdminActions
from core.adminweb.app import AdminWeb
from core.adminweb.config import ENABLE_HINT, AdminWebConfig
from core.adminweb.overview import Sources
from core.metrics import Metrics
from core.stages.admin_gate import AdminGateStage
from core.stages.pii import Masker

log = logging.getLogger(__name__)

__all__ = ["ACTOR", "ENABLE_HINT", "AdminWeb", "AdminWebConfig", "Sources", "admin_web"]


def admin_web(
    env: Mapping[str, str],
    sources: Sources,
    *,
    gate: AdminGateStage,
    masker: Masker | None,
    metrics: Metrics,
    prefix: str,
) -> AdminWeb | None:
    """The dashboard when the environment sets its token, else None (no route: /admin is 404)."""
    config = AdminWebConfig.from_env(env)
    if config is None:
        log.info(ENABLE_HINT)
        return None
    return AdminWeb(config, sources, AdminActions(gate, masker, metrics), prefix=prefix)
