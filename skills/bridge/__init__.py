"""The Slack swarm bridge: helpdesk tickets mirrored into Slack threads, and back (docs/bridge.md).

Not a skill module: `bots.compose` adds `BridgeStage` to the pipeline when a helpdesk in the bot
definition has a `bridge` table."""

from __future__ import annotations

from skills.bridge.config import BridgeConfig, bridge_keys, bridges_of
from skills.bridge.links import Links, Thread
from skills.bridge.stage import BridgeStage

__all__ = ["BridgeConfig", "BridgeStage", "Links", "Thread", "bridge_keys", "bridges_of"]
