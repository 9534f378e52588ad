"""The optional llama_cpp backend on the real, unmodified SmolLM2 file.

llama-cpp-python compiles llama.cpp at install time (minutes), so it is an optional extra
(`pip install 'switchboard[llama]'`) that `make test` does not install: without it these tests
are skipped.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from bots.backends import load_engine
from bots.backends.smollm2 import source_file
from core.model.config import BUILTIN_SMOLLM2, ModelSpec
from core.model.contract import JobRequest
from tests.model.conftest import ROOT, bot_toml
from tests.model.test_queue import until

pytest.importorskip(
    "llama_cpp",
    reason="llama-cpp-python (optional extra `switchboard[llama]`, compiles for minutes) is not installed",
)

QUESTION = "What is the capital of France?"
# The embedded bot's persona: what `make run` sends. A 135M model is sensitive to the prompt
# (with some system prompts its first greedy token is "La" rather than "The", by 0.1 logit).
PERSONA = tomllib.loads((ROOT / "bots" / "assistant.toml").read_text(encoding="utf-8"))["persona"]
SMOLLM2 = {
    "backend": "llama_cpp",
    "name": "smollm2",
    "path": BUILTIN_SMOLLM2,
    "temperature": 0,
    "max_tokens": 32,
    "context": 1024,
}


@pytest.fixture(scope="module")
def engine() -> Any:
    return load_engine(
        ModelSpec(name="smollm2", backend="llama_cpp", path=BUILTIN_SMOLLM2, threads=1, context=1024)
    )


@pytest.fixture(scope="module")
def small_context() -> Any:
    """A short context, so that filling it stays quick on one thread."""
    return load_engine(
        ModelSpec(name="smollm2", backend="llama_cpp", path=BUILTIN_SMOLLM2, threads=1, context=256)
    )


def ask(text: str, **kw: Any) -> JobRequest:
    return JobRequest(job_id="j1", model="smollm2", prompt=text, system=PERSONA, **kw)


def test_reads_the_shipped_smollm2_file_as_it_is(engine):
    assert engine.path == source_file()  # the package's own file, not the ctransformers conversion
    assert engine.describe() == {"backend": "llama_cpp", "device": "cpu", "threads": "1", "context": "1024"}


def test_answers_the_capital_of_france_streaming_token_by_token(engine):
    pieces = list(engine.stream(ask(QUESTION, max_tokens=24, temperature=0)))
    answer = "".join(pieces)
    assert "Paris" in answer
    assert len(pieces) >= 3  # streamed in pieces, not one block
    assert "<|im_end|>" not in answer and "<|im_start|>" not in answer
    assert "".join(engine.stream(ask(QUESTION, max_tokens=24, temperature=0))) == answer  # greedy


def test_long_conversation_is_cut_to_the_context(small_context):
    engine = small_context
    history = tuple(
        ("user" if i % 2 == 0 else "assistant", f"Filler message number {i}. " * 12) for i in range(60)
    )
    request = ask(QUESTION, history=history, max_tokens=32, temperature=0)
    kept = engine._fit(request)
    assert kept[0]["role"] == "system" and kept[-1]["content"] == QUESTION
    assert engine._count(kept) <= engine.context - 32 and len(kept) < len(history) + 2
    assert "".join(engine.stream(request))  # and it answers instead of overflowing the context


def test_an_oversized_question_is_cut_to_its_end(small_context):
    engine = small_context
    request = ask("Lorem ipsum dolor sit amet. " * 400 + QUESTION, max_tokens=32, temperature=0)
    kept = engine._fit(request)
    assert engine._count(kept) <= engine.context - 32 and kept[-1]["content"].endswith(QUESTION)
    assert "".join(engine.stream(request))  # answers instead of overflowing the context


@pytest.mark.slow
async def test_worker_with_the_llama_cpp_backend_answers_through_the_queue(
    modelkit, workers, redis, redis_url, tmp_path: Path
):
    _assembly, chat = await modelkit(model=dict(SMOLLM2), persona=PERSONA)
    worker = workers(bot_toml(tmp_path / "bot.toml", dict(SMOLLM2)), redis_url)
    await worker.ready(redis)
    await chat.say(QUESTION)
    await until(lambda: len(chat.sent) == 1, timeout=120)
    assert "Paris" in chat.last() and not chat.sent[0].notice
    assert "backend=llama_cpp" in worker.output()
