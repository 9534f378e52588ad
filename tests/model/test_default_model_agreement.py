"""The converted embedded model is not worse than the original: its ChatML prompt ids equal the
model's own chat template, and (where llama.cpp is installed) its greedy answers to 30 fixed
questions agree with the original file's under llama.cpp. `python -m bench agreement` prints
the answers side by side."""

from __future__ import annotations

import importlib.util

import pytest

from bench import agreement

pytestmark = pytest.mark.slow


def test_chatml_prompt_ids_equal_the_models_own_chat_template():
    same, different = agreement.prompt_check()
    assert different == [] and same == len(agreement.QUESTIONS)


def test_the_template_check_sees_a_wrong_prompt():
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    text = agreement.rendered(messages)
    assert text.endswith("<|im_start|>assistant\n") and "<|im_start|>user\nHi<|im_end|>\n" in text


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama.cpp is not installed")
def test_converted_file_agrees_with_the_original_on_most_answers():
    result = agreement.agreement(agreement.answers("ctransformers"), agreement.answers("llama_cpp"))
    print(f"identical {result.identical}/{result.total}, similar {result.similar}/{result.total}")
    assert result.similar >= 0.8 * result.total, result.pairs
