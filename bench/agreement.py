"""`python -m bench agreement`: is the converted embedded model as good as the original?

The embedded SmolLM2-135M-Instruct file is rewritten once for ctransformers (scores, an explicit
output tensor, raw-byte tokens: `bots/backends/smollm2.py`). This checks that the rewrite does
not change what the model says:

1. **Prompt ids.** The model's own chat template (`tokenizer.chat_template` in the shipped
   GGUF, rendered with Jinja as Hugging Face does) must give the same token ids as the ChatML
   prompt the ctransformers backend builds, for every question below.
2. **Answers.** 30 fixed short factual and instruction questions, answered greedily (temperature
   0, same repetition penalty, 48 tokens) by the converted file under ctransformers and by the
   original file under an independent reference: a plain numpy implementation of the llama
   architecture (`bench/numpy_llama.py`, always available), and llama.cpp where installed
   (`pip install 'switchboard[llama]'`). Reported: answers identical after normalising case and
   spacing, and answers whose text is at least 80 % similar (difflib ratio), out of 30. Greedy
   decoding of a 4-bit 135M model amplifies rounding: two faithful engines agree word for word
   for a while, then part; the first words and the first-token logits show whether the file
   is the same model.

The same checks run as a test (`tests/model/test_default_model_agreement.py`), on the first
16 tokens of each answer against the numpy reference (and llama.cpp where installed).
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import re
from dataclasses import dataclass
from typing import Any

from core.model.config import BUILTIN_SMOLLM2, ModelSpec
from core.model.contract import JobRequest

SYSTEM = (
    "You are a helpful assistant. Answer briefly, in the language of the question. "
    "If you do not know, say so."
)
MAX_TOKENS = 48
SIMILAR = 0.8
QUESTIONS = (
    "What is the capital of France?",
    "What is the capital of Japan?",
    "How many days are in a week?",
    "What colour is the sky on a clear day?",
    "What is 2 plus 2?",
    "What is 10 times 3?",
    "Who wrote Romeo and Juliet?",
    "What is the largest planet in our solar system?",
    "What gas do plants absorb from the air?",
    "What is water made of?",
    "How many legs does a spider have?",
    "What is the boiling point of water in Celsius?",
    "Which ocean is the largest?",
    "What language is spoken in Brazil?",
    "What is the opposite of hot?",
    "Name a primary colour.",
    "What is the freezing point of water in Fahrenheit?",
    "What do bees make?",
    "What is the chemical symbol for gold?",
    "How many continents are there?",
    "Translate 'thank you' into Spanish.",
    "Give me a synonym for happy.",
    "Write one sentence about the sea.",
    "List three fruits.",
    "Say hello in French.",
    "Spell the word cat backwards.",
    "What is the plural of mouse?",
    "Finish the sentence: The early bird catches the",
    "Suggest a name for a pet dog.",
    "In one word, what is the colour of grass?",
)


@dataclass(frozen=True)
class Agreement:
    identical: int
    similar: int
    same_start: int  # the first five words equal
    total: int
    pairs: tuple[tuple[str, str, str], ...]  # (question, ctransformers, llama.cpp)


def request(question: str, max_tokens: int = MAX_TOKENS) -> JobRequest:
    return JobRequest(
        job_id="agreement",
        model="smollm2",
        prompt=question,
        system=SYSTEM,
        max_tokens=max_tokens,
        temperature=0.0,
    )


def spec(backend: str) -> ModelSpec:
    return ModelSpec(name="smollm2", backend=backend, path=BUILTIN_SMOLLM2, threads=1, context=2048)  # type: ignore[arg-type]


def answers(backend: str, max_tokens: int = MAX_TOKENS, questions: tuple[str, ...] = QUESTIONS) -> list[str]:
    from bots.backends import load_engine

    engine = load_engine(spec(backend))
    return ["".join(engine.stream(request(question, max_tokens))).strip() for question in questions]


def reference_answers(max_tokens: int = MAX_TOKENS, questions: tuple[str, ...] = QUESTIONS) -> list[str]:
    """The original file's greedy answers under the numpy reference, on the converted engine's
    prompt ids (equal to the chat template's: `prompt_check`)."""
    import os

    from bench.numpy_llama import NumpyLlama
    from bots.backends import load_engine
    from bots.backends.smollm2 import source_file

    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    engine: Any = load_engine(spec("ctransformers"))
    prompts = [engine.prompt_ids(request(question, max_tokens)) for question in questions]
    reference = NumpyLlama(source_file())
    ids = reference.greedy_many(prompts, stop=engine._stop, max_tokens=max_tokens, repetition_penalty=1.1)
    return [engine._llm.detokenize(answer).strip() for answer in ids]


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def agreement(left: list[str], right: list[str], questions: tuple[str, ...] = QUESTIONS) -> Agreement:
    identical = sum(normal(a) == normal(b) for a, b in zip(left, right, strict=True))
    similar = sum(
        difflib.SequenceMatcher(None, normal(a), normal(b)).ratio() >= SIMILAR
        for a, b in zip(left, right, strict=True)
    )
    same_start = sum(normal(a).split()[:5] == normal(b).split()[:5] for a, b in zip(left, right, strict=True))
    pairs = tuple(zip(questions, left, right, strict=True))
    return Agreement(identical, similar, same_start, len(left), pairs)


@functools.cache
def chat_template() -> str:
    """`tokenizer.chat_template` of the shipped (original) GGUF file."""
    import gguf

    from bots.backends.smollm2 import source_file

    field = gguf.GGUFReader(source_file()).fields["tokenizer.chat_template"]
    return bytes(field.parts[field.data[0]]).decode("utf-8")


def rendered(messages: list[dict[str, str]]) -> str:
    """The chat template rendered as Hugging Face's `apply_chat_template` does."""
    import jinja2.sandbox

    environment = jinja2.sandbox.ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    return environment.from_string(chat_template()).render(
        messages=messages, add_generation_prompt=True, bos_token="", eos_token="<|im_end|>"
    )


@functools.cache
def original_tokenizer() -> Any:
    """llama.cpp's tokenizer of the original file (vocabulary only), or None without llama.cpp."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    import llama_cpp

    from bots.backends.smollm2 import source_file

    return llama_cpp.Llama(model_path=str(source_file()), vocab_only=True, verbose=False)


def template_ids(messages: list[dict[str, str]], tokenize: Any, special: dict[str, int]) -> list[int]:
    """The model's own chat template, rendered as Hugging Face does, then tokenized: by the
    original file's own tokenizer (llama.cpp, special tokens parsed) where installed, else with
    the special tokens as single ids and the text between them by the engine's tokenizer."""
    text = rendered(messages)
    original = original_tokenizer()
    if original is not None:
        return list(original.tokenize(text.encode("utf-8"), add_bos=False, special=True))
    ids: list[int] = []
    for part in re.split(f"({'|'.join(re.escape(s) for s in special)})", text):
        if part in special:
            ids.append(special[part])
        elif part:
            ids.extend(tokenize(part))
    return ids


def prompt_check() -> tuple[int, list[str]]:
    """(questions whose ChatML ids equal the template's, descriptions of any that differ)."""
    from bots.backends import load_engine
    from bots.backends.ctransformers_backend import CHATML_END, CHATML_START

    engine: Any = load_engine(spec("ctransformers"))
    start, end = engine._chat_ids  # the ids the backend puts around each message
    special = {CHATML_START: start, CHATML_END: end}
    same, different = 0, []
    for question in QUESTIONS:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": question}]
        ours = engine.prompt_ids(request(question))
        theirs = template_ids(messages, engine.tokenize, special)
        if ours == theirs:
            same += 1
        else:
            at = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), None)
            different.append(f"{question!r}: first difference at id #{at} ({len(ours)} vs {len(theirs)} ids)")
    return same, different


def main() -> None:
    same, different = prompt_check()
    by = "llama.cpp's tokenizer of the original file" if original_tokenizer() else "the converted tokenizer"
    print(f"ChatML prompt ids equal to the model's own chat template ({by}): {same}/{len(QUESTIONS)}")
    for line in different:
        print(f"  differs: {line}")
    converted = answers("ctransformers")
    report(converted, reference_answers(), "original (numpy reference)")
    if importlib.util.find_spec("llama_cpp") is None:
        print("llama.cpp is not installed (pip install 'switchboard[llama]'): not compared with it.")
        return
    report(converted, answers("llama_cpp"), "original (llama.cpp)")


def report(converted: list[str], original: list[str], title: str) -> None:
    result = agreement(converted, original)
    print(
        f"Greedy answers, converted file (ctransformers) vs {title}: "
        f"{result.identical}/{result.total} identical, {result.similar}/{result.total} at least "
        f"{SIMILAR:.0%} similar, {result.same_start}/{result.total} the same for their first five words"
    )
    for question, ours, theirs in result.pairs:
        mark = "=" if normal(ours) == normal(theirs) else "≠"
        print(f"  {mark} {question}\n      converted: {ours[:90]!r}\n      original:  {theirs[:90]!r}")


if __name__ == "__main__":
    main()
