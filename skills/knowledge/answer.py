"""From retrieved passages to an answer: which passages are good enough, the prompt the model
answers from, the sources line under the answer, and what is said without a model.

Below the bot's `min_confidence` nothing is asked of the model: the skill says it does not know.
"""

from __future__ import annotations

from core.knowledge import KnowledgeConfig, Passage

RELATIVE_SCORE = 0.8  # a passage beside the best one is used (and cited) from this share of its score
EXCERPT_CHARS = 700

DONT_KNOW = (
    "I don't know: I found nothing about that in my documents. "
    "Try other words, or /kb search <terms> to see what they hold."
)
NO_DOCUMENTS = (
    "I have no documents to answer from: list folders under [knowledge] sources in the bot definition."
)
INSTRUCTIONS = (
    "Answer the question using only the numbered passages below. Be brief. Cite the passages you "
    "use like [1]. If the passages do not answer the question, say that you don't know."
)


def usable(passages: list[Passage], config: KnowledgeConfig) -> list[Passage]:
    """The passages to answer from: those at or above the confidence threshold whose score is
    close to the best of them, each source once, at most `config.passages` (none: don't know)."""
    sure = [p for p in passages if p.confidence >= config.min_confidence]
    chosen: list[Passage] = []
    for passage in sure:
        if passage.score >= RELATIVE_SCORE * sure[0].score and all(p.link != passage.link for p in chosen):
            chosen.append(passage)
    return chosen[: config.passages]


def prompt_for(question: str, passages: list[Passage], max_chars: int) -> str:
    """The user prompt: numbered passages (cut to share `max_chars`), then the (masked) question."""
    share = max(200, max_chars // len(passages))
    blocks = [f"[{n}] {p.title}\n{_cut(p.text, share)}" for n, p in enumerate(passages, 1)]
    return f"{INSTRUCTIONS}\n\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}"


def sources_line(passages: list[Passage]) -> str:
    """`Sources: [1] Connect a platform › Slack — README.md#slack`, one source a line."""
    lines = [f"[{n}] {p.title} — {p.link}" for n, p in enumerate(passages, 1)]
    return "Sources:\n" + "\n".join(lines)


def excerpt_answer(passages: list[Passage]) -> str:
    """What is said when no model can answer: the best passage itself, then the sources."""
    return f"From my documents:\n\n{_cut(passages[0].text, EXCERPT_CHARS)}\n\n{sources_line(passages)}"


def found_list(passages: list[Passage], config: KnowledgeConfig) -> str:
    """`/kb search`: what a question would find, with each passage's confidence."""
    if not passages:
        return "Nothing in my documents matches those words."
    lines = [f"{p.confidence:.2f}  {p.title} — {p.link}" for p in passages]
    note = f"(answers use passages from confidence {config.min_confidence:.2f})"
    return "\n".join(["Found (confidence, section, link):", *lines, note])


def _cut(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"
