"""The terminal: `switchboard chat` talks to the bot through the same pipeline."""

from __future__ import annotations

import asyncio
import sys
import threading
import uuid
from typing import TextIO

from core.adapter import Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
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
            kind=EventKind.MESSAGE,  # a "/command" typed as text is the router's to read
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

    async def repl(self, stop: asyncio.Event | None = None) -> None:
        """Read lines until EOF, /quit or `stop` (a signal), printing the bot's answers."""
        lines = self._lines()
        self._print("Connected. Type a message, /help for commands, /quit to leave.")
        stopped = asyncio.ensure_future((stop or asyncio.Event()).wait())
        try:
            while True:
                self._stdout.write("you> ")
                self._stdout.flush()
                reading = asyncio.ensure_future(lines.get())
                await asyncio.wait({reading, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if not reading.done():
                    reading.cancel()
                    self._print("")
                    return
                line = reading.result()
                if line is None:
                    return
                line = line.strip()
                if not line:
                    continue
                if line in {"/quit", "/exit"}:
                    return
                for reply in await self.say(line):
                    self._print(f"bot> {reply.text}")
        finally:
            stopped.cancel()

    def _lines(self) -> asyncio.Queue[str | None]:
        """Lines of stdin, read by a daemon thread (a blocked read must not keep the process
        alive after a signal); None at end of input."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def read() -> None:
            while True:
                try:
                    line = self._stdin.readline()
                except (OSError, ValueError):  # the terminal went away
                    line = ""
                try:
                    loop.call_soon_threadsafe(queue.put_nowait, line or None)
                except RuntimeError:  # the loop is closed: the chat is over
                    return
                if not line:
                    return

        threading.Thread(target=read, name="console-stdin", daemon=True).start()
        return queue

    async def send(self, reply: Reply) -> SentRef | None:
        if not self._collector.offer(reply):
            self._print(f"bot> {reply.text}")
        return SentRef(PLATFORM, uuid.uuid4().hex, self.conversation.channel_id)
