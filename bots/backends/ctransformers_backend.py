"""The ctransformers backend — the one module that imports ctransformers.

Loads GGUF (llama) and classic GGML files, on the GPU when a CUDA device is there and the
CUDA build loads, else on the best CPU build; streams tokens with incremental UTF-8 decoding.
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bots.backends import prompt
from bots.backends.device import Placement, cuda_device_present, place
from bots.backends.files import ModelFile, inspect
from bots.backends.tokens import SafeTokenizer
from core.model.config import BUILTIN_SMOLLM2, ModelSpec
from core.model.contract import JobRequest
from core.model.errors import BackendUnavailableError, ModelFileError

log = logging.getLogger(__name__)

CHATML_START = "<|im_start|>"
CHATML_END = "<|im_end|>"


def _cuda_loads() -> bool:
    """Whether ctransformers' CUDA build (and the CUDA runtime it needs) loads here."""
    try:
        from ctransformers.llm import load_library

        load_library("cuda", gpu=True)
    except Exception as exc:  # noqa: BLE001 — OSError for libcudart, anything else is a no too
        log.info("CUDA build of ctransformers does not load (%s)", type(exc).__name__)
        return False
    return True


def resolve(spec: ModelSpec) -> tuple[str, ModelFile | None]:
    """(what to pass to from_pretrained, the checked local file or None for a hub repo)."""
    if spec.path == BUILTIN_SMOLLM2:
        from bots.backends.smollm2 import converted_file

        path = converted_file()
        return str(path), inspect(path)
    if spec.path:
        path = Path(spec.path).expanduser()
        return str(path), inspect(path)
    if spec.repo:
        return spec.repo, None
    raise ModelFileError(f"model {spec.name!r} has neither path nor repo — fix: set [model] path")


def _load_failure(source: str, exc: BaseException, *, from_hub: bool) -> str:
    """One line: what failed, the cause in short, and the fix (the hub's errors span lines)."""
    cause = " ".join(str(exc).split())[:160]
    if from_hub:
        return (
            f"could not download {source} from the Hugging Face hub ({type(exc).__name__}: {cause}) — "
            "fix: allow the worker to reach huggingface.co, or download the file elsewhere and set "
            "[model] path to it"
        )
    return (
        f"could not load {source} ({type(exc).__name__}: {cause}) — fix: check the file and "
        "model_type, or point [model] path at another GGUF/GGML file"
    )


class CTransformersEngine:
    def __init__(
        self, spec: ModelSpec, llm: Any, placement: Placement, chat_ids: tuple[int, int] | None
    ) -> None:
        self.model = spec.name
        self.spec = spec
        self._llm = llm
        self.placement = placement
        self._chat_ids = chat_ids
        self.threads = spec.threads or os.cpu_count() or 1
        self.context = int(getattr(llm, "context_length", 0) or spec.context or 512)
        self.cut_off = False  # the last answer stopped at max_tokens
        self._stop = {tid for tid in (llm.eos_token_id, chat_ids[1] if chat_ids else None) if tid is not None}
        self.tokenizer = SafeTokenizer(llm)

    @classmethod
    def load(cls, spec: ModelSpec) -> CTransformersEngine:
        try:
            from ctransformers import AutoModelForCausalLM
        except ImportError:
            raise BackendUnavailableError(
                "ctransformers is not installed — fix: pip install ctransformers"
            ) from None
        source, checked = resolve(spec)
        gpu_wanted = spec.device != "cpu" and (spec.gpu_layers or 0) > 0
        cuda = _cuda_loads() if gpu_wanted and cuda_device_present() else False
        placement = place(spec.device or "auto", spec.gpu_layers or 0, cuda_loads=cuda)
        model_type = spec.model_type or (checked.architecture if checked and checked.architecture else "")
        if not model_type and checked is not None and checked.kind == "ggml":
            model_type = "gpt2"
        kwargs: dict[str, Any] = {
            "model_type": model_type or None,
            "lib": placement.lib,
            "gpu_layers": placement.gpu_layers,
            "threads": spec.threads or os.cpu_count() or 1,
        }
        if checked is None or checked.kind == "gguf":
            kwargs["context_length"] = spec.context or 2048
        if checked is None and spec.model_file:
            kwargs["model_file"] = spec.model_file
        started = time.perf_counter()
        try:
            llm = AutoModelForCausalLM.from_pretrained(source, **kwargs)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelFileError(_load_failure(source, exc, from_hub=checked is None)) from None
        chat = None
        if (
            checked is not None
            and CHATML_START in checked.special_tokens
            and CHATML_END in checked.special_tokens
        ):
            chat = (checked.special_tokens[CHATML_START], checked.special_tokens[CHATML_END])
        engine = cls(spec, llm, placement, chat)
        log.info(
            "model loaded in %.2f s: %s (%s, %s, lib=%s, gpu_layers=%d, threads=%d, context=%d; %s)",
            time.perf_counter() - started,
            spec.name,
            model_type or "auto",
            placement.device,
            placement.lib,
            placement.gpu_layers,
            engine.threads,
            engine.context,
            placement.reason,
            extra={"model": spec.name},
        )
        return engine

    def describe(self) -> dict[str, str]:
        return {
            "backend": "ctransformers",
            "device": self.placement.device,
            "lib": self.placement.lib,
            "threads": str(self.threads),
            "context": str(self.context),
        }

    def tokenize(self, text: str) -> list[int]:
        """Never `LLM.tokenize`: it overflows on multi-byte text (see `bots.backends.tokens`)."""
        return self.tokenizer.tokenize(text)

    def prompt_ids(self, request: JobRequest) -> list[int]:
        budget = max(self.context - request.max_tokens, self.context // 2)
        if self._chat_ids is not None:
            return prompt.chatml(self.tokenize, *self._chat_ids, request.messages(), budget)
        return prompt.plain(self.tokenize, request.messages(), budget)

    def stream(self, request: JobRequest) -> Iterator[str]:
        ids = self.prompt_ids(request)
        greedy = request.temperature <= 0
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.cut_off = False
        tokens = self._llm.generate(
            ids,
            top_k=1 if greedy else 40,
            top_p=1.0 if greedy else 0.95,
            temperature=1.0 if greedy else request.temperature,
            repetition_penalty=1.1,
            reset=True,
        )
        with contextlib.closing(tokens):  # a stopped answer ends generation at once
            for count, token in enumerate(tokens, start=1):
                if token in self._stop:
                    break
                piece = decoder.decode(self._llm.detokenize([token], decode=False))
                if piece:
                    yield piece
                if count >= request.max_tokens:
                    self.cut_off = True
                    break
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail
