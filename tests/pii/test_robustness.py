"""One bad message fails only its own turn; valid Unicode of any kind masks without error."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from core.errors import MaskingError
from core.pii.config import PiiConfig
from core.pii.service import AnalyzerService
from tests.pii.conftest import MODEL

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
TRICKY = [
    "",
    " ",
    "\u0000\u0001 null bytes",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ",
    "田中さんにあげて下さい パーティーへ行かないか",
    "사회과학원 어학연구소",
    "ثم نفس سقطت وبالتحديد، جزيرتي باستخدام أن دنو",
    "הָיְתָה  test ‏",
    "Ṱ̺̺̕o͞ ̷i̲̬͇̪͙n̝̗͕v̟̜̘̦͟o̶̙̰̠kè͚̮̺̪̹̱̤ ̖t̝͕̳̣̻̪͞h̼͓̲̦̳̘̲e͇̣̰̦̬͎ ̢̼̻̱̘h͚͎͙̜̣̲ͅi̦̲̣̰̤v̻͍e̺̭̳̪̰-m̢iͅn̖̺̞̲̯̰d",
    "👩🏽‍💻 👨‍👩‍👦 🏳️‍🌈 ❤️ 🇺🇸🇬🇧",
    "𝐓𝐡𝐞 𝐪𝐮𝐢𝐜𝐤 𝐛𝐫𝐨𝐰𝐧 𝐟𝐨𝐱",
    "\u202etest\u202d \ufeffBOM \u200b zero width",
    "<script>alert('Maria Gonzalez')</script>",
    "1;DROP TABLE users; -- call +44 20 7946 0958",
    "﷽" * 40,
    "a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h",
]


def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings where it is vendored (tests/corpora/), else [] ."""
    for path in sorted(CORPORA.glob("**/blns*.json")):
        return [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str)]
    return []


async def test_one_unencodable_text_fails_only_its_own_turn(analyzer):
    service = AnalyzerService(MODEL)
    config = PiiConfig(timeout_seconds=120)  # isolation, not the time limit: a loaded machine is slow
    texts = [f"message {n} from Maria Gonzalez" for n in range(40)]
    texts[17] = "/help \ud800"  # a lone surrogate: spaCy cannot encode it
    results = await asyncio.gather(*(service.analyze(t, config) for t in texts), return_exceptions=True)
    assert isinstance(results[17], MaskingError)
    innocent = [r for n, r in enumerate(results) if n != 17]
    assert all(isinstance(r, list) and [s.type for s in r] == ["PERSON"] for r in innocent)


@pytest.mark.parametrize("source", ["tricky", "naughty"])
async def test_valid_unicode_masks_without_error(analyzer, source):
    texts = TRICKY if source == "tricky" else naughty_strings()
    if not texts:
        pytest.skip("the naughty-strings list is not vendored in tests/corpora yet")
    service = AnalyzerService(MODEL)
    config = PiiConfig()
    valid = [t for t in texts if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    results: list[object] = []
    for start in range(0, len(valid), 40):  # as concurrent turns arrive: a few dozen at a time
        chunk = valid[start : start + 40]
        results += await asyncio.gather(*(service.analyze(t, config) for t in chunk), return_exceptions=True)
    failed = [(t, r) for t, r in zip(valid, results, strict=True) if isinstance(r, BaseException)]
    assert failed == []
