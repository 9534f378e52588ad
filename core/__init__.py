"""Switchboard's platform-free dialog core."""
