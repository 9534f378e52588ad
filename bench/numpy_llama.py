"""A plain numpy implementation of the llama architecture over a GGUF file: the reference the
agreement benchmark compares the converted embedded model with, where llama.cpp is not installed.

Only what SmolLM2-style files need: grouped-query attention, rotary embeddings in GGUF's pair
layout (`convert_hf_to_gguf.py` permutes Q and K so that adjacent pairs rotate), RMS norm,
SwiGLU, tied output embeddings; weights dequantized once by the `gguf` package. Slow (float32,
one core) but short answers to short prompts take a second or two, and nothing in it is shared
with ctransformers or llama.cpp: a disagreement points at the engine or the file, not at both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Shape:
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    rope_base: float
    rms_eps: float


class NumpyLlama:
    def __init__(self, path: Path) -> None:
        import gguf

        reader = gguf.GGUFReader(str(path))

        def field(name: str) -> float:
            return float(reader.fields[f"llama.{name}"].contents())

        heads = int(field("attention.head_count"))
        width = int(field("embedding_length"))
        self.shape = Shape(
            layers=int(field("block_count")),
            heads=heads,
            kv_heads=int(field("attention.head_count_kv")),
            head_dim=width // heads,
            rope_base=field("rope.freq_base"),
            rms_eps=field("attention.layer_norm_rms_epsilon"),
        )
        self.w = {t.name: _dequantized(t) for t in reader.tensors}
        self.output = self.w.get("output.weight", self.w["token_embd.weight"])

    def last_logits(self, batch: list[tuple[list[int], Cache]]) -> list[np.ndarray]:
        """For each (new ids, that sequence's cache): the logits after its last id; every cache
        grows in place. The sequences share each weight matrix product (one pass over the
        weights per step, which is what the time goes on), and attend each to its own cache."""
        s, w = self.shape, self.w
        lengths = [len(ids) for ids, _cache in batch]
        starts = [cache.length for _ids, cache in batch]
        x = w["token_embd.weight"][[token for ids, _cache in batch for token in ids]]
        positions = np.concatenate([np.arange(st, st + n) for st, n in zip(starts, lengths, strict=True)])
        bounds = np.cumsum([0, *lengths])
        for layer in range(s.layers):
            p = f"blk.{layer}."
            h = _rms(x, w[p + "attn_norm.weight"], s.rms_eps)
            q = _rope((h @ w[p + "attn_q.weight"].T).reshape(-1, s.heads, s.head_dim), positions, s)
            k = _rope((h @ w[p + "attn_k.weight"].T).reshape(-1, s.kv_heads, s.head_dim), positions, s)
            v = (h @ w[p + "attn_v.weight"].T).reshape(-1, s.kv_heads, s.head_dim)
            mixed = np.empty((len(x), s.heads * s.head_dim), dtype=np.float32)
            for index, (_ids, cache) in enumerate(batch):
                rows = slice(bounds[index], bounds[index + 1])
                keys, values = cache.extend(layer, k[rows], v[rows])
                mixed[rows] = _attention(q[rows], keys, values, starts[index], s)
            x = x + mixed @ w[p + "attn_output.weight"].T
            h = _rms(x, w[p + "ffn_norm.weight"], s.rms_eps)
            gate = h @ w[p + "ffn_gate.weight"].T
            swiglu = (gate / (1 + np.exp(-gate))) * (h @ w[p + "ffn_up.weight"].T)
            x = x + swiglu @ w[p + "ffn_down.weight"].T
        for _ids, cache in batch:
            cache.length += len(_ids)
        last = _rms(x[bounds[1:] - 1], w["output_norm.weight"], s.rms_eps)
        return list(last @ self.output.T)

    def greedy_many(
        self,
        prompts: list[list[int]],
        *,
        stop: set[int],
        max_tokens: int,
        repetition_penalty: float,
        last_n: int = 64,
    ) -> list[list[int]]:
        """Greedy answers to every prompt (without the stop token), decoded together, with
        llama.cpp's repetition penalty over each sequence's last `last_n` ids (prompt included)."""
        caches = [Cache() for _ in prompts]
        histories = [list(ids) for ids in prompts]
        answers: list[list[int]] = [[] for _ in prompts]
        live = list(range(len(prompts)))
        logits = self.last_logits([(prompts[i], caches[i]) for i in live])
        while live:
            chosen = []
            for i, row in zip(live, logits, strict=True):
                token = _penalised_argmax(row, histories[i][-last_n:], repetition_penalty)
                if token in stop:
                    continue
                answers[i].append(token)
                histories[i].append(token)
                if len(answers[i]) < max_tokens:
                    chosen.append(i)
            live = chosen
            if live:
                logits = self.last_logits([([histories[i][-1]], caches[i]) for i in live])
        return answers


class Cache:
    """One sequence's keys and values per layer."""

    def __init__(self) -> None:
        self.length = 0
        self._layers: list[tuple[np.ndarray, np.ndarray]] = []

    def extend(self, layer: int, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if layer < len(self._layers):
            old_keys, old_values = self._layers[layer]
            keys, values = np.concatenate([old_keys, keys]), np.concatenate([old_values, values])
            self._layers[layer] = (keys, values)
        else:
            self._layers.append((keys, values))
        return keys, values


def _penalised_argmax(logits: np.ndarray, recent: list[int], penalty: float) -> int:
    logits = logits.copy()
    for token in set(recent):
        value = logits[token]
        logits[token] = value / penalty if value > 0 else value * penalty
    return int(np.argmax(logits))


def _dequantized(tensor: object) -> np.ndarray:
    import gguf

    values = gguf.quants.dequantize(tensor.data, tensor.tensor_type)  # type: ignore[attr-defined]
    rows = [int(n) for n in reversed(tensor.shape)]  # type: ignore[attr-defined]  # ggml: ne0 first
    return np.asarray(values, dtype=np.float32).reshape(rows)


def _rms(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def _rope(x: np.ndarray, positions: np.ndarray, s: Shape) -> np.ndarray:
    inverse = s.rope_base ** (-np.arange(0, s.head_dim, 2, dtype=np.float64) / s.head_dim)
    angles = positions[:, None].astype(np.float64) * inverse[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def _attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, start: int, s: Shape) -> np.ndarray:
    group = s.heads // s.kv_heads
    k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)  # query head h reads kv head h // group
    scores = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(s.head_dim)
    queries, keys = q.shape[0], k.shape[0]
    future = np.arange(keys)[None, :] > (start + np.arange(queries))[:, None]
    scores = np.where(future[None], -np.inf, scores)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    return np.einsum("hqk,khd->qhd", scores, v).reshape(queries, s.heads * s.head_dim)
