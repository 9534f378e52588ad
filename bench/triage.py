"""Helpdesk triage quality: category accuracy and handoff precision/recall on our own ticket
corpus (`bench/triage_corpus.py`), on the tuning families and on the held-out ones. Constants
in `skills/helpdesk/` were chosen on the tuning split only; the held-out split is only measured.

Handoff here is the decision on a ticket's first message (bot_turns = 0): asked for a person,
negative sentiment, or a category the bot cannot place."""

from __future__ import annotations

import time
from collections import Counter

from bench.triage_corpus import HELD_OUT, TUNING, Ticket, tickets
from skills.helpdesk import handoff
from skills.helpdesk.config import HelpdeskSettings
from skills.helpdesk.triage import triage


def measure(corpus: list[Ticket]) -> dict[str, float]:
    config = HelpdeskSettings({}).default
    right = 0
    tp = fp = fn = 0
    reasons: Counter[str] = Counter()
    started = time.perf_counter()
    for item in corpus:
        found = triage(item.text, config)
        right += found.category.value == item.category
        decision = handoff.decide(
            item.text, sentiment=found.sentiment, category=found.category, bot_turns=0, config=config.handoff
        )
        if decision is not None:
            reasons[decision.reason] += 1
        if decision is not None and item.handoff:
            tp += 1
        elif decision is not None:
            fp += 1
        elif item.handoff:
            fn += 1
    per_ticket_ms = (time.perf_counter() - started) * 1000 / max(1, len(corpus))
    return {
        "tickets": len(corpus),
        "accuracy": right / len(corpus),
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "ms": per_ticket_ms,
        **{f"by_{k}": v for k, v in sorted(reasons.items())},
    }


def main() -> None:
    triage("warm up the language and sentiment models", HelpdeskSettings({}).default)
    print(
        "split      tickets  category acc  handoff precision  handoff recall  ms/ticket  handoffs by reason"
    )
    for name, families in (("tuning", TUNING), ("held-out", HELD_OUT)):
        r = measure(tickets(families))
        why = ", ".join(f"{k[3:]} {int(v)}" for k, v in r.items() if k.startswith("by_"))
        print(
            f"{name:<10} {int(r['tickets']):>7}  {r['accuracy']:>12.2f}  {r['precision']:>17.2f}  "
            f"{r['recall']:>14.2f}  {r['ms']:>9.2f}  {why}"
        )


if __name__ == "__main__":
    main()
