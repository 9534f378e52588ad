"""Any UTF-8 text tokenizes and generates: the naughty-strings list, every assigned code point
(64 to a call), and single characters from every Unicode block, under the tiny models and the
real converted SmolLM2. Each model runs in a child process, so a crash fails a test instead of
killing the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bots.backends.tokens import REPLACEMENT, SafeTokenizer
from tests.model.conftest import ROOT

BLNS = ROOT / "tests" / "corpora" / "blns" / "blns.json"
CRASHED_WORKERS_IN_ISSUE_11 = ["こんにちは", "你好", "안녕하세요"]


def check(model: Path, generate: str, *, sweep: bool = True, timeout: float = 300) -> dict[str, Any]:
    if not BLNS.is_file():
        pytest.skip(f"{BLNS} is not vendored yet")
    args = [sys.executable, "-m", "tests.model.tokenize_all", str(model), str(BLNS), "--generate", generate]
    args += [] if sweep else ["--no-sweep"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["strings"] > 500 and report["empty_strings"] == []
    assert report["code_points"] > (280_000 if sweep else -1) and report["empty_chunks"] == []
    assert report["blocks"] > 300 and report["empty_single_characters"] == []
    return report


def test_tiny_llama_takes_every_string_and_block(tiny_models):
    report = check(tiny_models["llama"], "issue,strings,blocks")
    assert report["generated"] == 8 + report["strings"] + report["blocks"]
    assert set(CRASHED_WORKERS_IN_ISSUE_11) <= set(report["overflowing_issue_strings"])


def test_tiny_gpt2_takes_every_string_and_block(tiny_models):
    # GGML's GPT-2 tokenizer builds a std::regex per call (~7 ms for 64 characters): no sweep
    report = check(tiny_models["gpt2"], "issue,strings,blocks", sweep=False)
    assert report["generated"] == 8 + report["strings"] + report["blocks"]
    assert set(CRASHED_WORKERS_IN_ISSUE_11) <= set(report["overflowing_issue_strings"])


@pytest.mark.slow
def test_smollm2_tokenizes_every_string_and_block():
    from bots.backends.smollm2 import converted_file

    report = check(converted_file(progress=None), "issue")
    assert report["generated"] == 8
    # the inputs that killed the worker do overflow the library's own buffer of len(text) + 1
    assert set(CRASHED_WORKERS_IN_ISSUE_11) <= set(report["overflowing_issue_strings"])
    # and SmolLM2 lacks single bytes that valid text can hold (U+0004 ...): those are replaced
    assert {4, 6, 19, 20, 22, 29} <= set(report["missing_bytes"])


class _NoLlm:
    """clean() needs no model: the byte set is given."""


def test_clean_replaces_what_the_c_tokenizer_cannot_take():
    tokens = SafeTokenizer(_NoLlm(), byte_tokens=frozenset(range(256)) - {0, 4, 0xF1})
    assert tokens.clean("plain text") == "plain text"
    assert tokens.clean("a\x00b\x04c") == f"a{REPLACEMENT}b{REPLACEMENT}c"  # NUL would end the C string
    assert tokens.clean("é\x04") == f"é{REPLACEMENT}"  # the slow path agrees with the ASCII one
    assert tokens.clean("x\ud800y") == f"x{REPLACEMENT}y"  # a lone surrogate has no UTF-8 form
    assert tokens.clean("\U00040000 你好") == f"{REPLACEMENT} 你好"  # U+40000 encodes with 0xF1
    assert tokens.missing_bytes == {0, 4, 0xF1}


def test_clean_drops_instead_when_the_replacement_itself_has_no_tokens():
    tokens = SafeTokenizer(_NoLlm(), byte_tokens=frozenset(range(128)) - {4})
    assert tokens.clean("a\x04b é") == "ab "
