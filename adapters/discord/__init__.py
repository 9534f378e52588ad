"""Discord: gateway and signed interactions in, REST out (discord.py stays in here)."""

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.config import DiscordConfig

__all__ = ["DiscordAdapter", "DiscordConfig"]
