"""Tokenizing any UTF-8 text with ctransformers' C tokenizer without crashing the process.

ctransformers 0.2.27's `LLM.tokenize(text)` gives the C tokenizer `len(text) + 1` slots —
characters, not bytes — and the tokenizer writes past them: byte-level BPE turns one CJK,
Cyrillic or emoji character into several tokens, so a short "你好" overflows the buffer and
the worker dies with SIGSEGV. We call the C function ourselves with a buffer sized from the
encoded text: every tokenizer the library carries emits at most one token per byte of its
working text, and SentencePiece's working text is at most three times the input (each space
becomes "▁", three bytes) plus a leading "▁"; so `3 * bytes + 8` slots always suffice.

Two more inputs kill the C side, whatever the buffer:
- a character whose bytes include one that has no token of its own (SmolLM2's vocabulary lacks
  21 single bytes, among them the controls U+0004, U+0006, U+0013, U+0014, U+0016, U+001D):
  the old llama.cpp BPE falls back to single bytes and dereferences a missing entry;
- NUL, which ends the C string early (the rest of the message would be silently lost);
so such characters become U+FFFD (or vanish, should the vocabulary lack its bytes too), as do
lone surrogates, which have no UTF-8 form at all.
"""

from __future__ import annotations

import ctypes
from typing import Any

REPLACEMENT = "\ufffd"
SLOTS_PER_BYTE = 3
EXTRA_SLOTS = 8


def single_byte_tokens(llm: Any) -> frozenset[int]:
    """The byte values that have a token of their own in the loaded model's vocabulary."""
    piece_of = llm.ctransformers_llm_detokenize  # one C call per token, bytes back
    pieces = (piece_of(token) for token in range(int(llm.vocab_size)))
    return frozenset(piece[0] for piece in pieces if piece is not None and len(piece) == 1)


class SafeTokenizer:
    """`tokenize(text)` for a loaded ctransformers LLM: any str in, token ids out, no crash."""

    def __init__(self, llm: Any, byte_tokens: frozenset[int] | None = None) -> None:
        self._llm = llm
        self._bytes = single_byte_tokens(llm) if byte_tokens is None else byte_tokens
        self._bytes_without_nul = self._bytes - {0}
        self._replacement = REPLACEMENT if set(REPLACEMENT.encode()) <= self._bytes else ""
        self._verdicts: dict[str, bool] = {}
        ascii_bad = [chr(b) for b in range(128) if b == 0 or b not in self._bytes]
        self._ascii_table = str.maketrans(dict.fromkeys(ascii_bad, self._replacement))

    @property
    def missing_bytes(self) -> frozenset[int]:
        return frozenset(range(256)) - self._bytes

    def _safe(self, char: str) -> bool:
        verdict = self._verdicts.get(char)
        if verdict is None:
            code = ord(char)
            if 0xD800 <= code <= 0xDFFF:
                verdict = False
            else:
                verdict = set(char.encode()) <= self._bytes_without_nul
            if len(self._verdicts) < 65_536:
                self._verdicts[char] = verdict
        return verdict

    def clean(self, text: str) -> str:
        """`text` with every character the C tokenizer cannot take replaced by U+FFFD."""
        if text.isascii():
            return text.translate(self._ascii_table)
        return "".join(char if self._safe(char) else self._replacement for char in text)

    def tokenize(self, text: str) -> list[int]:
        data = self.clean(text).encode()
        if not data:
            return []
        capacity = SLOTS_PER_BYTE * len(data) + EXTRA_SLOTS
        slots = (ctypes.c_int * capacity)()
        count = int(self._llm.ctransformers_llm_tokenize(data, False, slots))
        if not 0 <= count <= capacity:  # cannot happen (see the module note); never read past it
            raise RuntimeError(f"tokenizer returned {count} tokens for {capacity} slots")
        return list(slots[:count])
