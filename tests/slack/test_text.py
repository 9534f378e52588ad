"""Outbound text: untrusted model output is escaped, broadcasts neutralised, long text split."""

from __future__ import annotations

from adapters.slack.text import render, split


def test_broadcasts_and_invented_mentions_are_neutralised():
    out = render("Hey <!channel> <!here> <!everyone> <!subteam^S123|ops> <@U999> see @here")
    for live in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<@U999>", " @here"):
        assert live not in out
    assert "&lt;!channel&gt;" in out


def test_mentions_the_asker_used_stay_live():
    assert render("ask <@U0BOB> or <@U999>", {"U0BOB"}) == "ask <@U0BOB> or &lt;@U999&gt;"


def test_special_characters_are_escaped():
    assert render("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"


def test_short_text_is_one_message():
    assert split("hello", 100) == ["hello"]


def test_long_text_splits_at_paragraphs_then_sentences():
    paragraphs = ["First paragraph. " * 20, "Second paragraph. " * 20, "Third. " * 5]
    chunks = split("\n\n".join(paragraphs), 500)
    assert all(len(c) <= 500 for c in chunks)
    assert chunks[0] == paragraphs[0].strip()
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(" ".join(chunks).split()) == " ".join(" ".join(paragraphs).split())


def test_text_without_spaces_is_cut_hard():
    chunks = split("x" * 250, 100)
    assert [len(c) for c in chunks] == [100, 100, 50]
