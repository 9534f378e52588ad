"""Helpdesk skills for `Event(kind=ticket)`: triage, drafts for agents, auto-replies of promoted
intents, human handoff (docs/helpdesk-skills.md). List `skills.helpdesk.skill` in a bot."""
