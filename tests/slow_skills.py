"""A skill that holds its turn open until the test lets it go (used by shutdown tests).

`/slow` announces itself on stdout, then waits until the file named by
SWITCHBOARD_TEST_RELEASE exists, then answers. In-process tests use `release_event` instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.skills import SkillContext, SkillResult, skill

STARTED = "slow skill started"
ANSWER = "slow answer ready"

started_event: asyncio.Event | None = None
release_event: asyncio.Event | None = None


@contextmanager
def gate() -> Iterator[tuple[asyncio.Event, asyncio.Event]]:
    """In-process: `/slow` sets the first event when it starts and answers once the second is set."""
    global started_event, release_event
    started_event, release_event = asyncio.Event(), asyncio.Event()
    try:
        yield started_event, release_event
    finally:
        started_event = release_event = None


@skill("slow", commands=["slow"], description="answers when the test says so")
async def slow(ctx: SkillContext) -> SkillResult:
    if release_event is not None:
        if started_event is not None:
            started_event.set()
        await release_event.wait()
        return ctx.reply(ANSWER)
    print(STARTED, flush=True)
    release = Path(os.environ["SWITCHBOARD_TEST_RELEASE"])
    while not release.exists():  # the test process creates it; nothing else to await across processes
        await asyncio.sleep(0.01)
    return ctx.reply(ANSWER)
