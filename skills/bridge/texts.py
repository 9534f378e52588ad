"""What the bridge writes, in one place. Ticket text arrives masked; the restore step shows in a
staff channel only what `[pii.restore] mirror` allows (default: names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REFUSED = (
    "Only people whose Slack e-mail address belongs to a {vendor} agent can answer the customer "
    "from here. Nothing was sent and nothing was added to the ticket."
)
NOT_ADDED = (
    "This did not reach the ticket ({vendor} refused it or could not be reached). "
    "Try again in a moment, or write it in {vendor}."
)
SENT_PUBLIC = "Sent to the customer from {vendor}, as you."
PARKED = "{vendor} asked us to wait (rate limit): this {what} in about {minutes}, once. Nothing else to do."
EMPTY_REPLY = "Write the answer after {command}, e.g. `{command} Thanks, the refund is on its way.`"
SOLVED = (
    ":white_check_mark: Ticket solved. Notes written here still go to the ticket; "
    "a customer reply reopens it."
)
REOPENED = ":leftwards_arrow_with_hook: Ticket reopened (status: {status}). This thread carries on."
DRAFT_HEADING = "*Suggested reply (draft):*"  # what the model drafted for the agents
NOTE_HEADING = "*Internal note by the bot:*"  # a skill's note: a draft, triage, a handoff summary
HOW_TO = "Reply in this thread to add an internal note; start with `{command}` to answer the customer."


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space (a placeholder is never cut in half)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip() + " …"


def quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.strip().splitlines())


def subject_and_body(text: str, *, created: bool) -> tuple[str, str]:
    """A created ticket's event text leads with its subject (`Ticket.to_event`)."""
    if not created:
        return "", text
    head, _, rest = text.strip().partition("\n\n")
    return (head.strip(), rest.strip()) if rest and "\n" not in head else ("", text)


def parent(
    *,
    vendor: str,
    ref: str,
    text: str,
    facts: Mapping[str, Any],
    link: str,
    draft: str | None,
    command: str,
    limit: int,
) -> str:
    subject, body = subject_and_body(text, created=facts.get("kind") == "created")
    lines = [f"*{vendor} ticket #{ref}*" + (f" — {shorten(subject, 150)}" if subject else "")]
    details = [f"Priority: {facts.get('priority') or 'not set'}"]
    if facts.get("sla_due"):
        details.append(f"SLA due: {facts['sla_due']}")
    if facts.get("status"):
        details.append(f"Status: {facts['status']}")
    lines.append(" · ".join(details))
    if link:
        lines.append(link)
    if body:
        lines.append(quote(shorten(body, limit)))
    if draft:
        lines += [NOTE_HEADING, quote(shorten(draft, limit))]
    lines.append(HOW_TO.format(command=command))
    return "\n".join(lines)


def customer_said(text: str, limit: int) -> str:
    return "*Customer:*\n" + quote(shorten(text, limit))


AGENT_KINDS = {"agent_replied": "public reply", "note": "internal note"}


def agent_said(vendor: str, kind: str, text: str, limit: int) -> str:
    return f"*Agent's {AGENT_KINDS[kind]} in {vendor}:*\n" + quote(shorten(text, limit))


def draft_note(text: str, limit: int) -> str:
    return NOTE_HEADING + "\n" + quote(shorten(text, limit))


def relayed_note(via: str, name: str, text: str) -> str:
    """A note the bot writes for someone it cannot write as: `Slack — Ann: …`."""
    return f"{via} — {name}: {text}"


def parked(vendor: str, wait_s: float, *, public: bool) -> str:
    """The writer's notice for a relay the helpdesk rate-limited for longer than a turn waits."""
    minutes = max(1, round(wait_s / 60))
    what = "goes to the customer" if public else "goes into the ticket"
    return PARKED.format(vendor=vendor, what=what, minutes=f"{minutes} minute{'s' if minutes != 1 else ''}")
