"""The terminal: `switchboard chat` talks to the bot through the same pipeline."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TextIO

from core.adapter import Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
from core.routing import looks_like_command
from core.waiters import ReplyCollector

PLATFORM = "console"


class ConsoleAdapter:
    name = PLATFORM

    def __init__(
        self,
        *,
        user: str = "operator",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        self._user = user
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._timeout = timeout_s
        self._receive: Receive | None = None
        self._collector = ReplyCollector()
        self.conversation = ConversationRef(PLATFORM, "terminal")

    async def start(self, receive: Receive) -> None:
        self._receive = receive

    async def stop(self) -> None:
        self._receive = None

    def _print(self, text: str) -> None:
        self._stdout.write(text + "\n")
        self._stdout.flush()

    async def say(self, text: str) -> list[Reply]:
        """Send one line as the operator and wait for the bot's replies."""
        if self._receive is None:
            raise RuntimeError("console adapter is not started")
        native = uuid.uuid4().hex
        event = Event(
            id=f"{PLATFORM}:{native}",
            conversation=self.conversation,
            sender_id=self._user,
            text=text,
            kind=EventKind.COMMAND if looks_like_command(text) else EventKind.MESSAGE,
            is_direct=True,
            message_id=native,
        )
        self._collector.expect(event.id)
        task = self._receive(event)
        try:
            _outcome, replies = await self._collector.collect(event.id, task, self._timeout)
        except TimeoutError:
            self._print("(no answer in time)")
            return []
        return replies

    async def repl(self) -> None:
        """Read lines until EOF or /quit, printing the bot's answers."""
        loop = asyncio.get_running_loop()
        self._print("Connected. Type a message, /help for commands, /quit to leave.")
        while True:
            self._stdout.write("you> ")
            self._stdout.flush()
            line = await loop.run_in_executor(None, self._stdin.readline)
            if not line:
                break
            line = line.strip()
            if not line:
                continue
            if line in {"/quit", "/exit"}:
                break
            for reply in await self.say(line):
                self._print(f"bot> {reply.text}")

    async def send(self, reply: Reply) -> SentRef | None:
        if not self._collector.offer(reply):
            self._print(f"bot> {reply.text}")
        return SentRef(PLATFORM, uuid.uuid4().hex, self.conversation.channel_id)
