"""`BridgeStage`: mirrors helpdesk tickets into a Slack thread and carries that thread back into
the ticket (docs/bridge.md). It sits after the PII stage, so it reads masked text only, and every
message it writes leaves through the hub's one send path, restored for its own destination
(`Turn.send`, or the turn's answer): a staff channel is `Audience.STAFF`, a note `INTERNAL`.

Ticket events (of a bridged helpdesk): created (or handed off) → a parent message with subject,
summary, priority, SLA, link and the note the ticket's own skill wrote (a model's draft follows
when it arrives: `AskModel.copies`); a customer comment, an agent's comment written in the
helpdesk → the thread; solved → a closing message; reopened → the same thread carries on. The
ticket's skills still run (the stage calls the next one); status changes and comments sent for
the bridge alone end here.
Chat messages in a linked thread: a note on the ticket (as the agent whose e-mail matches, else by
the bot as "Slack — Ann: …"); `/reply …` from such an agent a public reply (others are refused);
the writer hears of a write the helpdesk did not take, or of one it asked to wait for (a long
rate limit: the helpdesk adapter parks it and writes it once when due). They never reach the
chat skills.
Nothing loops: the bot's own chat messages never arrive (the chat adapter drops them), and what it
writes into a ticket carries the marker footer and is never a customer's, so it is never mirrored
back."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from core.adapter import Adapter, SupportsStaff
from core.errors import ConfigError
from core.events import (
    Audience,
    ConversationRef,
    CopyTo,
    Event,
    EventKind,
    Relay,
    Reply,
    SentRef,
    TicketUpdate,
    Visibility,
    reply_to,
)
from core.metrics import Metrics
from core.pipeline import Next, Outcome, Turn
from core.skills import AskModel, Results, SkillResult
from skills.bridge import texts
from skills.bridge.config import BridgeConfig
from skills.bridge.links import Links, Thread

log = logging.getLogger(__name__)


def has_marker(text: str) -> bool:
    """The footer reference the bot writes under its own and relayed comments (`sb-…`)."""
    return "(ref sb-" in text


def facts_of(event: Event) -> Mapping[str, Any]:
    """The ticket facts a helpdesk adapter puts on its events (`raw["ticket"]`, no free text)."""
    facts = event.raw.get("ticket")
    return facts if isinstance(facts, Mapping) else {}


def draft_of(result: SkillResult, event: Event) -> str | None:
    """The internal note the ticket's skill wrote for its agents, if it returned one (alone or in
    `Results`). A draft the model writes arrives later, on the model's delivery path."""
    replies = result.replies if isinstance(result, Results) else (result,)
    for reply in replies:
        if (
            isinstance(reply, Reply)
            and not reply.notice
            and reply.conversation == event.conversation
            and reply.visibility is Visibility.INTERNAL
        ):
            return reply.text
    return None


def updates_of(result: SkillResult) -> list[TicketUpdate]:
    """The ticket changes a skill's result carries (tags, priority...), in order."""
    items = result.items if isinstance(result, Results) else (result,)
    return [item.ticket for item in items if isinstance(item, (Reply, AskModel)) and item.ticket]


def with_updates(facts: Mapping[str, Any], result: SkillResult) -> Mapping[str, Any]:
    """The ticket's facts as this turn leaves them: triage's priority, the handoff tag."""
    merged = dict(facts)
    for update in updates_of(result):
        tags = [t for t in merged.get("tags") or () if t not in update.remove_tags]
        merged["tags"] = [*tags, *(t for t in update.add_tags if t not in tags)]
        if update.priority:
            merged["priority"] = update.priority
    return merged


def with_model_draft(result: SkillResult, event: Event, thread: Thread | None) -> SkillResult:
    """A draft the model writes (an `AskModel` whose answer is an internal note) is copied into
    the thread when it arrives, restored there for the staff channel."""
    ask = result if isinstance(result, AskModel) else result.ask if isinstance(result, Results) else None
    if thread is None or ask is None or (ask.visibility or event.reply_visibility) is not Visibility.INTERNAL:
        return result
    copy = CopyTo(thread.conversation(), Audience.STAFF, texts.DRAFT_HEADING)
    copied = dataclasses.replace(ask, copies=(*ask.copies, copy))
    return Results((*result.items[:-1], copied)) if isinstance(result, Results) else copied


class BridgeStage:
    name = "bridge"

    def __init__(
        self,
        bridges: Mapping[str, BridgeConfig],
        links: Links,
        keys: Mapping[str, str] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.bridges = dict(bridges)
        self.metrics = metrics
        self.keys = dict(keys or {})  # helpdesk -> its bridge table's key in the bot definition
        self.links = links
        self.chats = {config.platform for config in self.bridges.values()}
        self.adapters: Mapping[str, Adapter] = {}  # the hub's, set by the composition root

    def check_chats(self, adapters: Mapping[str, Adapter], *, source: str) -> None:
        """A bridge whose chat adapter is not running could post nothing: say so at start."""
        for helpdesk, config in self.bridges.items():
            if config.platform not in adapters:
                raise ConfigError(
                    f"key '{self.keys.get(helpdesk, helpdesk)}': it mirrors tickets into {config.platform}, "
                    f"but the {config.platform} adapter is not running — fix: configure it (for Slack: "
                    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET) or remove the bridge table",
                    source=source,
                )

    # -- one opening round trip: the link this event may have -----------------------------------
    def prefetch(self, turn: Turn, batch: Any) -> int:
        event = turn.event
        if event.kind is EventKind.TICKET and event.platform in self.bridges:
            self.links.queue_thread_of(batch, event.conversation)
            return 1
        if self._threaded_chat(event):
            self.links.queue_ticket_of(batch, event.conversation)
            return 1
        return 0

    def _threaded_chat(self, event: Event) -> bool:
        thread = event.conversation.thread_id
        return event.platform in self.chats and thread is not None and thread != event.message_id

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        event = turn.event
        found = turn.prefetched.get(self.name) or [None]
        if event.kind is EventKind.TICKET and event.platform in self.bridges:
            return await self._ticket(turn, call_next, self.links.thread_from(found[0]))
        ticket = self.links.ticket_from(found[0]) if self._threaded_chat(event) else None
        if ticket is None or ticket.platform not in self.bridges:
            return await call_next(turn)
        return await self._from_thread(turn, ticket, self.bridges[ticket.platform])

    # -- ticket → thread ----------------------------------------------------------------------
    async def _ticket(self, turn: Turn, call_next: Next, thread: Thread | None) -> SkillResult:
        event, config = turn.event, self.bridges[turn.event.platform]
        facts = facts_of(event)
        kind, closed = str(facts.get("kind", "")), bool(facts.get("closed"))
        if kind == "status_changed":  # shown in the thread, answered by no skill
            if thread is not None:
                await self._status(turn, thread, closed, str(facts.get("status", "")))
            turn.stop(Outcome.IGNORED)
            return None
        if facts.get("for_bridge"):  # an agent's comment the helpdesk sent for the bridge alone
            if thread is not None:
                await self._agent_said(turn, thread, kind, config)
            turn.stop(Outcome.IGNORED)
            return None
        if thread is None:
            result = await call_next(turn)  # the ticket's skills first: their draft, triage, handoff
            facts = with_updates(facts, result)
            if not self._starts_thread(kind, facts, config):
                return result
            opened = await self._open(turn, config, facts, draft_of(result, event))
            return self._with_model_draft(result, event, opened)
        thread = await self._status(turn, thread, closed, str(facts.get("status", "")))
        where = thread.conversation()
        if kind == "customer_replied" and event.text.strip():
            said = texts.customer_said(event.text, config.summary_chars)
            await self._post(turn, self._to_thread(where, said, event), "customer")
        await self._agent_said(turn, thread, kind, config)  # (handed to the skills as well)
        result = await call_next(turn)
        draft = draft_of(result, event)
        if draft:
            await self._post(
                turn, self._to_thread(where, texts.draft_note(draft, config.summary_chars), event), "draft"
            )
        return self._with_model_draft(result, event, thread)

    async def _agent_said(self, turn: Turn, thread: Thread, kind: str, config: BridgeConfig) -> None:
        """An agent's reply or note written in the helpdesk; those the bridge or the bot wrote
        carry the reference marker and are not shown again."""
        event = turn.event
        if kind not in texts.AGENT_KINDS or not event.text.strip() or has_marker(event.text):
            return
        said = texts.agent_said(event.platform.capitalize(), kind, event.text, config.summary_chars)
        await self._post(turn, self._to_thread(thread.conversation(), said, event), "agent")

    @staticmethod
    def _starts_thread(kind: str, facts: Mapping[str, Any], config: BridgeConfig) -> bool:
        """ "created": every ticket, at its creation — or at its next customer comment when it has
        no thread yet (Slack was down, or the bridge came later); "handoff": once it carries the
        handoff tag (from the webhook, or set by this very turn's handoff skill)."""
        if "created" in config.post_on and kind in {"created", "customer_replied"}:
            return True
        return "handoff" in config.post_on and config.handoff_tag in (facts.get("tags") or ())

    async def _open(
        self, turn: Turn, config: BridgeConfig, facts: Mapping[str, Any], draft: str | None
    ) -> Thread | None:
        event = turn.event
        if not await self.links.claim(event.conversation):
            return None  # another replica is opening this ticket's thread
        text = texts.parent(
            vendor=event.platform.capitalize(),
            ref=event.conversation.channel_id,
            text=event.text,
            facts=facts,
            link=self._link(event.conversation),
            draft=draft,
            command=config.reply_command,
            limit=config.summary_chars,
        )
        channel = ConversationRef(config.platform, config.channel, workspace_id=config.team)
        sent = await self._post(turn, self._to_thread(channel, text, event), "parent")
        if sent is None:
            log.warning("bridge: the ticket's parent message was not posted", extra={"event_id": event.id})
            await self.links.release(event.conversation)
            return None
        channel_id = sent.channel_id or config.channel
        thread = Thread(config.platform, channel_id, sent.message_id, config.team, closed=False)
        await self.links.link(event.conversation, thread)
        return thread

    async def _status(self, turn: Turn, thread: Thread, closed: bool, status: str) -> Thread:
        """Solved: a closing message; reopened: a line saying so. Returns the thread as it is now."""
        if closed == thread.closed:
            return thread
        text = texts.SOLVED if closed else texts.REOPENED.format(status=status or "open")
        await self._post(turn, self._to_thread(thread.conversation(), text, turn.event), "status")
        now = Thread(thread.platform, thread.channel, thread.thread, thread.team, closed)
        await self.links.link(turn.event.conversation, now)
        return now

    def _with_model_draft(self, result: SkillResult, event: Event, thread: Thread | None) -> SkillResult:
        copied = with_model_draft(result, event, thread)
        if copied is not result:
            self._count("to_chat", "draft")  # posted when the model's answer arrives
        return copied

    async def _post(self, turn: Turn, reply: Reply, kind: str) -> SentRef | None:
        """Send `reply` into the thread now (restored for the staff channel); counted when sent."""
        sent = await turn.send(reply)
        if sent is not None:
            self._count("to_chat", kind)
        return sent

    def _count(self, direction: str, kind: str) -> None:
        if self.metrics is not None:
            self.metrics.bridge_messages.labels(direction, kind).inc()

    @staticmethod
    def _to_thread(where: ConversationRef, text: str, event: Event) -> Reply:
        return Reply(text=text, conversation=where, in_reply_to=event.id, audience=Audience.STAFF)

    def _link(self, ticket: ConversationRef) -> str:
        staff = self.adapters.get(ticket.platform)
        return staff.link_to(ticket) if isinstance(staff, SupportsStaff) else ""

    # -- thread → ticket ----------------------------------------------------------------------
    async def _from_thread(self, turn: Turn, ticket: ConversationRef, config: BridgeConfig) -> SkillResult:
        event = turn.event
        text = event.text.strip()
        command = config.reply_command
        public = text.lower() == command or text.lower().startswith(command + " ")
        body = text[len(command) :].strip() if public else text
        if not body:
            if public:
                self._count("to_ticket", "refused")
            return reply_to(event, texts.EMPTY_REPLY.format(command=command), ephemeral=True)
            turn.stop(Outcome.IGNORED)
            return None
        agent = await self._agent(event, ticket)
        if public and agent is None:
            vendor = ticket.platform.capitalize()
            self._count("to_ticket", "refused")
            return reply_to(event, texts.REFUSED.format(vendor=vendor), ephemeral=True, notice=True)
        via = config.platform.capitalize()
        if agent is None:
            body = texts.relayed_note(via, event.sender_name or event.sender_id, body)
        relayed = Reply(
            text=body,
            conversation=ticket,
            in_reply_to=event.id,
            visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
            audience=Audience.TICKET,
            relay=Relay(author_id=agent, via=via),
        )
        vendor = ticket.platform.capitalize()
        sent = await turn.send(relayed)
        if sent is None:  # the writer hears of it: a lost note is worse than noise
            return reply_to(event, texts.NOT_ADDED.format(vendor=vendor), ephemeral=True, notice=True)
        if sent.due_in_s is not None:  # a long rate limit: parked by the helpdesk, written when due
            self._count("to_ticket", "parked")
            said = texts.parked(vendor, sent.due_in_s, public=public)
            return reply_to(event, said, ephemeral=True, notice=True)
        self._count("to_ticket", "public_reply" if public else "note")
        if public:
            return reply_to(event, texts.SENT_PUBLIC.format(vendor=vendor), ephemeral=True)
        turn.stop(Outcome.IGNORED)  # carried into the ticket; nothing to say back in Slack
        return None

    async def _agent(self, event: Event, ticket: ConversationRef) -> str | None:
        staff = self.adapters.get(ticket.platform)
        if not event.sender_email or not isinstance(staff, SupportsStaff):
            return None
        return await staff.agent_for(event.sender_email, ticket.workspace_id)
