"""The llama_cpp backend (optional extra `switchboard[llama]`) — the one module importing llama_cpp.

For GGUF architectures newer than ctransformers knows. The library compiles llama.cpp at
install time (minutes), so `make test` does not install it: it is imported only when a bot
asks for this backend, with a clear message when it is missing.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bots.backends.device import cuda_device_present
from bots.backends.files import inspect
from core.model.config import BUILTIN_SMOLLM2, ModelSpec
from core.model.contract import JobRequest
from core.model.errors import BackendUnavailableError, ModelFileError

log = logging.getLogger(__name__)

MESSAGE_OVERHEAD = 5  # "<|im_start|>role\n" ... "<|im_end|>\n"
PROMPT_OVERHEAD = 4  # the generation prompt "<|im_start|>assistant\n"
REPEAT_PENALTY = 1.1  # as the ctransformers backend: small models otherwise loop on a phrase
MISSING = (
    "the llama_cpp backend needs llama-cpp-python — fix: pip install 'switchboard[llama]' "
    '(it compiles llama.cpp, a few minutes), or use backend = "ctransformers"'
)


def _library() -> Any:
    try:
        import llama_cpp
    except ImportError:
        raise BackendUnavailableError(MISSING) from None
    return llama_cpp


class LlamaCppEngine:
    def __init__(self, spec: ModelSpec, llm: Any, device: str, path: Path) -> None:
        self.model = spec.name
        self.path = path
        self._llm = llm
        self.device = device
        self.threads = spec.threads or os.cpu_count() or 1
        self.context = spec.context or 2048
        self.cut_off = False  # the last answer stopped at max_tokens

    @classmethod
    def load(cls, spec: ModelSpec) -> LlamaCppEngine:
        library = _library()
        if spec.path == BUILTIN_SMOLLM2:
            from bots.backends.smollm2 import source_file

            path = source_file()  # llama.cpp reads the shipped file as it is
        elif spec.path:
            path = Path(spec.path).expanduser()
        else:
            raise ModelFileError(f"model {spec.name!r}: the llama_cpp backend needs [model] path")
        inspect(path)
        gpu = spec.device != "cpu" and (spec.gpu_layers or 0) > 0 and cuda_device_present()
        if spec.device == "gpu" and not gpu:
            log.warning("GPU requested but no CUDA device found: running on CPU")
        llm = library.Llama(
            model_path=str(path),
            n_ctx=spec.context or 2048,
            n_threads=spec.threads or os.cpu_count() or 1,
            n_gpu_layers=(spec.gpu_layers or 0) if gpu else 0,
            verbose=False,
        )
        log.info("model loaded with llama_cpp: %s (%s)", spec.name, "gpu" if gpu else "cpu")
        return cls(spec, llm, "gpu" if gpu else "cpu", path)

    def describe(self) -> dict[str, str]:
        return {
            "backend": "llama_cpp",
            "device": self.device,
            "threads": str(self.threads),
            "context": str(self.context),
        }

    def _fit(self, request: JobRequest) -> list[dict[str, str]]:
        """Keep the system prompt, the question and as many of the newest turns as fit, leaving
        room for the answer; an oversized question keeps its end (as the ctransformers backend)."""
        messages = [{"role": role, "content": text} for role, text in request.messages()]
        head = messages[:1] if messages[0]["role"] == "system" and len(messages) > 1 else []
        question, history = messages[-1], messages[len(head) : -1]
        budget = self.context - request.max_tokens - PROMPT_OVERHEAD
        room = budget - sum(self._tokens(m) for m in (*head, question))
        if room < 0:
            ids = self._llm.tokenize(question["content"].encode("utf-8"), add_bos=False)
            cut = ids[min(8 - room, len(ids) - 1) :]  # 8: re-tokenizing the cut text may differ a bit
            return [*head, {**question, "content": self._llm.detokenize(cut).decode("utf-8", "ignore")}]
        kept: list[dict[str, str]] = []
        for turn in reversed(history):  # newest first; each message is tokenized once
            room -= self._tokens(turn)
            if room < 0:
                break
            kept.insert(0, turn)
        return [*head, *kept, question]

    def _tokens(self, message: dict[str, str]) -> int:
        """Tokens of one chat message: its text plus ChatML's markers around it."""
        return len(self._llm.tokenize(message["content"].encode("utf-8"), add_bos=False)) + MESSAGE_OVERHEAD

    def _count(self, messages: list[dict[str, str]]) -> int:
        return sum(self._tokens(m) for m in messages) + PROMPT_OVERHEAD

    def stream(self, request: JobRequest) -> Iterator[str]:
        chunks = self._llm.create_chat_completion(
            messages=self._fit(request),
            max_tokens=request.max_tokens,
            temperature=max(request.temperature, 0.0),
            top_k=1 if request.temperature <= 0 else 40,
            repeat_penalty=REPEAT_PENALTY,
            stream=True,
        )
        self.cut_off = False
        with contextlib.closing(chunks):  # a stopped answer ends generation at once
            for chunk in chunks:
                self.cut_off = self.cut_off or chunk["choices"][0].get("finish_reason") == "length"
                delta = chunk["choices"][0].get("delta", {})
                if delta.get("content"):
                    yield delta["content"]
