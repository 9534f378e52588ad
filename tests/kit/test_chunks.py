"""The kit's splitter, for any platform limit: what a person sees is every word, in order, in
messages the platform accepts, with code blocks that still render as code."""

from __future__ import annotations

import pytest

from adapters.kit.chunks import FENCE, split, utf16_len

PARAGRAPHS = ["First paragraph. " * 20, "Second paragraph. " * 20, "Third. " * 5]


def words(chunks: list[str]) -> list[str]:
    return " ".join(c for c in chunks if not FENCE.fullmatch(c)).split()


@pytest.mark.parametrize("limit", [120, 500, 2_000, 4_096, 40_000])
def test_every_chunk_fits_and_no_word_is_lost(limit):
    text = "\n\n".join(PARAGRAPHS * 8)
    chunks = split(text, limit)
    assert all(len(c) <= limit for c in chunks)
    assert words(chunks) == text.split()


def test_paragraphs_first_then_sentences():
    chunks = split("\n\n".join(PARAGRAPHS), 500)
    assert chunks[0] == PARAGRAPHS[0].strip() and all(c.endswith(".") for c in chunks)


def test_utf16_counting_fits_telegram_with_emoji():
    text = "🙂 ok. " * 1_500  # each emoji is two UTF-16 code units
    chunks = split(text, 4_096, measure=utf16_len)
    assert all(utf16_len(c) <= 4_096 for c in chunks)
    assert any(len(c) <= 4_096 < utf16_len(c) for c in split(text, 4_096))  # code points would not fit
    assert " ".join(chunks).split() == text.split()


def test_code_fences_are_closed_and_reopened_within_the_limit():
    code = "\n".join(f"print({n})  # step {n}" for n in range(300))
    text = f"Here is the script:\n\n```python\n{code}\n```\n\nRun it twice."
    chunks = split(text, 1_000)
    assert len(chunks) > 3 and all(len(c) <= 1_000 for c in chunks)
    for chunk in chunks:
        assert chunk.count("```") % 2 == 0, chunk[:80]
    assert all(c.startswith("```python\n") for c in chunks[1:-1])
    body = [line for c in chunks for line in c.splitlines() if line.startswith("print(")]
    assert body == code.splitlines()


def test_a_hard_cut_never_splits_an_entity():
    text = "x" * 95 + "&amp;" + "y" * 100
    chunks = split(text, 98)
    assert all("&am" not in c or "&amp;" in c for c in chunks)
    assert "".join(chunks) == text
    mention = "z" * 90 + "<@U024BE7LH>" + "z" * 50
    assert all(c.count("<") == c.count(">") for c in split(mention, 95))


def test_text_without_spaces_is_cut_hard_at_the_limit():
    assert [len(c) for c in split("x" * 250, 100)] == [100, 100, 50]
