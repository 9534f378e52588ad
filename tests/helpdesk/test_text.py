"""Ticket bodies to the text the bot answers: HTML converted, quoted history and signatures cut."""

from __future__ import annotations

from adapters.helpdesk.text import adf_to_text, plain


def test_html_becomes_lines_without_tags_or_quotes():
    html = "<div>Hi,</div><p>the <b>export</b> fails &amp; shows 500.</p><blockquote>old reply</blockquote>"
    assert plain(html) == "Hi,\n\nthe export fails & shows 500."


def test_quoted_email_history_is_cut():
    text = (
        "Still broken.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <s@example.com> wrote:\n"
        "> We fixed it.\n> Regards"
    )
    assert plain(text) == "Still broken."
    assert plain("Yes please\n-----Original Message-----\nFrom: x") == "Yes please"
    assert plain("Danke\n\nAm 30.11.2026 um 10:00 schrieb Support <s@example.com>:\n> alt") == "Danke"


def test_signatures_and_zendesk_delimiter_are_cut():
    assert plain("Thanks!\n-- \nMaria Lopez\nACME Corp") == "Thanks!"
    assert plain("ok\n\nSent from my iPhone") == "ok"
    assert plain("new text\n##- Please type your reply above this line -##\nold") == "new text"


def test_inline_quotes_are_dropped_but_text_after_them_is_kept():
    assert plain("> quoted line\nmy answer") == "my answer"


def test_adf_comment_bodies():
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "First"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "second"},
                ],
            },
            {"type": "paragraph", "content": [{"type": "text", "text": "Third"}]},
        ],
    }
    assert adf_to_text(doc).strip() == "First\nsecond\nThird"


def test_empty_and_plain_text_pass_through():
    assert plain(None) == "" and plain("") == ""
    assert plain("a < b and c > d") == "a < b and c > d"
