"""Composition roots: the CLI, the hub and worker processes, and the bot definitions."""
