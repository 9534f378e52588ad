"""The "add a skill" checklist works: its example, copied exactly from docs/extending.md into a
module beside a bot definition, runs through real hubs (real stages, real Redis)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bots.compose import assemble
from core.botdef import parse_bot
from core.events import TicketUpdate, Visibility
from core.state import Keys
from tests.fakes import FakeAdapter

ROOT = Path(__file__).resolve().parent.parent
EXTENDING = ROOT / "docs" / "extending.md"


def checklist_example() -> str:
    text = EXTENDING.read_text(encoding="utf-8")
    section = text[text.index("## Add a skill") : text.index("## Add an adapter")]
    example = section[section.index("A small real example") :]
    return re.findall(r"```python\n(.*?)```", example, re.S)[0]


@pytest.fixture
async def replicas(redis, tmp_path):  # type: ignore[no-untyped-def]
    """Two hub replicas of one bot whose own skill module is the checklist's example."""
    (tmp_path / "checklist_feedback.py").write_text(checklist_example(), encoding="utf-8")
    data = {"name": "mybot", "skills": ["skills.help", "checklist_feedback", "skills.fallback"]}
    built = []
    for _ in range(2):
        adapter = FakeAdapter()
        assembly = assemble(parse_bot(data, source="t"), redis, adapters=[adapter], skill_path=tmp_path)
        await assembly.hub.start()
        built.append((assembly, adapter))
    yield built
    for assembly, _ in built:
        await assembly.hub.stop(grace=2)


async def test_typed_arguments_give_usage_not_a_crash(replicas):
    (_, chat), _ = replicas
    await chat.say("/feedback")
    assert chat.last() == "missing <stars>. Usage: /feedback <stars> [<comment>]"
    await chat.say("/feedback five stars")
    assert chat.last() == "<stars> must be a whole number, not 'five'. Usage: /feedback <stars> [<comment>]"
    await chat.say("/feedback 9")
    assert chat.last() == "Stars go from 1 to 5."


async def test_two_results_a_reply_and_a_note_with_a_ticket_update(replicas):
    (_, chat), _ = replicas
    record = await chat.say("/feedback 4 answers could be shorter")
    texts = [r.text for r in record.replies]
    assert texts == ["Noted: 4/5. Thank you!", "Feedback 4/5: answers could be shorter"]
    note = record.replies[1]
    assert note.visibility is Visibility.INTERNAL
    assert note.ticket == TicketUpdate(add_tags=("sb_feedback__4",))
    assert chat.sent[-2:] == record.replies  # both went out through the adapter, in order


async def test_question_answered_on_another_replica_within_its_timeout(replicas, redis):
    (_, first), (_, second) = replicas
    await first.say("/feedback 2", user="ana")
    assert first.last() == "Thanks! What could we do better?"
    key = Keys().follow_up("mybot", first.event("x").conversation.key, "ana")
    assert 0 < await redis.ttl(key) <= 300  # the wait ends by itself
    await second.say("/help", user="bob")  # someone else in the channel: not an answer
    await second.say("the search is slow", user="ana")
    assert second.texts()[-2:] == ["Noted: 2/5. Thank you!", "Feedback 2/5: the search is slow"]
    await second.say("the search is slow", user="ana")  # answered once: now routed as usual
    assert "Noted" not in second.last()


async def test_a_command_instead_of_an_answer_drops_the_question(replicas):
    (_, chat), _ = replicas
    await chat.say("/feedback 3")
    await chat.say("/help")
    assert "what I can do" in chat.last()
    await chat.say("never mind")
    assert "Noted" not in chat.last()


async def test_reached_by_example_the_skill_explains_its_command(replicas):
    (_, chat), _ = replicas
    await chat.say("I want to give feedback")
    assert chat.last() == "Send /feedback <stars 1-5> [what we could do better]."
