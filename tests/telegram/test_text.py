"""Answer text → Telegram HTML, checked with the fake Bot API's own entity parser."""

from __future__ import annotations

from adapters.telegram.text import WORD_JOINER, neutralise_mentions, to_html, to_plain
from tests.telegram.fake_telegram import MENTION, parse_html


def visible(html: str) -> str:
    text, pings = parse_html(html)
    assert not pings
    return text


def test_html_special_characters_arrive_as_written():
    answer = 'if a < b && b > c then print("<b>&amp;</b>")'
    assert visible(to_html(answer)) == answer


def test_code_fences_become_pre_blocks_and_inline_code_becomes_code():
    answer = "Run this:\n```bash\necho '<hi>' && ls\n```\nthen `make test` & relax"
    html = to_html(answer)
    assert "<pre><code class=\"language-bash\">echo '&lt;hi&gt;' &amp;&amp; ls</code></pre>" in html
    assert "<code>make test</code> &amp; relax" in html
    assert visible(html) == "Run this:\necho '<hi>' && ls\nthen make test & relax"


def test_an_unclosed_fence_is_closed():
    assert visible(to_html("```\nhalf a stream")) == "half a stream"


def test_mentions_are_neutralised_unless_the_asker_mentioned_them():
    answer = "Ask @bob_b or @channel_admins, mail x@example.com, not @ab"
    out = to_html(answer, allowed_mentions={"@Bob_B"})
    pinged = MENTION.findall(visible(out))
    assert pinged == ["bob_b"]
    assert f"@{WORD_JOINER}channel_admins" in out and "x@example.com" in out


def test_plain_fallback_keeps_the_text_and_neutralises_mentions():
    assert to_plain("<b>@everyone</b>") == f"<b>@{WORD_JOINER}everyone</b>"
    assert neutralise_mentions("no mentions here") == "no mentions here"
