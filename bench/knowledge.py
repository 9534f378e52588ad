"""Answers from documents: retrieval and citation quality over the sample folder (the README
split into pages), with the question set of `bench/knowledge_questions.py`, tuning and held-out
template families reported apart (the ranking was tuned on the tuning part only).

hit@1, hit@3   an acceptable section is the first / among the first three passages found
cites          the skill's answer (the model request it makes) cites an acceptable section
answered       in-scope questions that get an answer rather than "I don't know"
declined       out-of-scope questions that get "I don't know" (no model call)
cited/answer   sections cited per answer (fewer is more precise)
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.knowledge_questions import Question, questions
from core.botdef import BOTS_DIR, BotDefinition, parse_bot
from core.events import ConversationRef, Event
from core.services import Services
from core.skills import AskModel, Intent, SkillContext
from skills.knowledge.index import KnowledgeIndex
from skills.knowledge.setup import open_index
from skills.knowledge.skill import answer

TARGET_HIT3 = 0.9


class ModelUp:
    async def available(self) -> bool:
        return True


def bench_bot(index_file: Path) -> BotDefinition:
    return parse_bot(
        {
            "name": "bench",
            "skills": ["skills.knowledge"],
            "fallback": "knowledge",
            "model": {"backend": "ctransformers", "path": "builtin:smollm2"},
            "knowledge": {"sources": ["knowledge/switchboard"], "index": str(index_file)},
        },
        source="bench",
    )


async def ask(bot: BotDefinition, index: KnowledgeIndex, question: Question) -> tuple[list[str], list[str]]:
    """(links found, links the answer cites — empty when it said it does not know)."""
    found = [p.link for p in index.search_now(question.text, 3)]
    event = Event("bench:1", ConversationRef("bench", "c"), "u", question.text)
    ctx = SkillContext(
        event=event,
        intent=Intent("ask", "ask", "command"),
        bot=bot,
        history=[],
        skills=(),
        services=Services(knowledge=index, model=ModelUp()),
    )
    result = await answer(ctx, question.text, free_text=False)
    cited = (
        [line.rsplit(" — ", 1)[1] for line in result.footer.splitlines()[1:]]
        if isinstance(result, AskModel)
        else []
    )
    return found, cited


async def run(bot: BotDefinition, index: KnowledgeIndex) -> dict[str, dict[str, list[float]]]:
    tally: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for question in questions():
        found, cited = await ask(bot, index, question)
        split = tally["held-out" if question.held_out else "tuning"]
        if not question.links:
            split["declined"].append(float(not cited))
            continue
        split["hit@1"].append(float(bool(found) and found[0] in question.links))
        split["hit@3"].append(float(any(link in question.links for link in found)))
        split["cites"].append(float(any(link in question.links for link in cited)))
        split["answered"].append(float(bool(cited)))
        if cited:
            split["cited/answer"].append(float(len(cited)))
    return tally


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bot = bench_bot(Path(folder) / "bench.sqlite")
        index = open_index(bot, BOTS_DIR, source="bench")
        started = time.perf_counter()
        report = index.update()
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        tally = asyncio.run(run(bot, index))
        per_question = (time.perf_counter() - started) / len(questions())
        index.close()
    counts = {split: len(values["hit@3"]) + len(values["declined"]) for split, values in tally.items()}
    print(f"sample folder: {report}; indexed in {indexed * 1000:.0f} ms")
    print(f"questions: {counts['tuning']} tuning, {counts['held-out']} held-out (in scope + out of scope)")
    print(f"{'measure':<14}{'tuning':>10}{'held-out':>10}")
    for measure in ("hit@1", "hit@3", "cites", "answered", "declined", "cited/answer"):
        row = [
            sum(v) / len(v) if (v := tally[split][measure]) else float("nan")
            for split in ("tuning", "held-out")
        ]
        print(f"{measure:<14}{row[0]:>10.3f}{row[1]:>10.3f}")
    held = tally["held-out"]["hit@3"]
    verdict = "meets" if sum(held) / len(held) >= TARGET_HIT3 else "BELOW"
    print(f"held-out hit@3 {verdict} the target {TARGET_HIT3}")
    print(f"{per_question * 1000:.1f} ms per question (search + answer)")
