"""Tiny random-weight models written from scratch (~0.5 MB each), for fast real inference."""

from __future__ import annotations

import struct
from pathlib import Path

import gguf
import numpy as np

SPECIAL = [b"<unk>", b"<|im_start|>", b"<|im_end|>"]


def write_ggml_gpt2(
    path: Path, *, n_ctx: int = 128, n_embd: int = 64, n_head: int = 4, n_layer: int = 2
) -> Path:
    """A classic GGML GPT-2 file: byte-level vocabulary, f32 weights."""
    rng = np.random.default_rng(1)
    n_vocab = 256 + 4
    with path.open("wb") as f:
        f.write(struct.pack("<i", 0x67676D6C))
        f.write(struct.pack("<6i", n_vocab, n_ctx, n_embd, n_head, n_layer, 0))
        f.write(struct.pack("<i", n_vocab))
        for i in range(n_vocab):
            token = bytes([i]) if i < 256 else f"<|s{i}|>".encode()
            f.write(struct.pack("<i", len(token)) + token)

        def tensor(name: str, *shape: int) -> None:
            data = (
                np.ones(shape, "<f4")
                if name.endswith("/g")
                else (rng.standard_normal(shape) * 0.1).astype("<f4")
            )
            encoded = name.encode()
            f.write(struct.pack("<3i", len(shape), len(encoded), 0))
            f.write(struct.pack(f"<{len(shape)}i", *shape) + encoded + data.tobytes())

        tensor("model/ln_f/g", n_embd)
        tensor("model/ln_f/b", n_embd)
        tensor("model/wte", n_embd, n_vocab)
        tensor("model/wpe", n_embd, n_ctx)
        tensor("model/lm_head", n_embd, n_vocab)
        for i in range(n_layer):
            p = f"model/h{i}/"
            for name, shape in (
                ("ln_1/g", (n_embd,)), ("ln_1/b", (n_embd,)),
                ("attn/c_attn/w", (n_embd, 3 * n_embd)), ("attn/c_attn/b", (3 * n_embd,)),
                ("attn/c_proj/w", (n_embd, n_embd)), ("attn/c_proj/b", (n_embd,)),
                ("ln_2/g", (n_embd,)), ("ln_2/b", (n_embd,)),
                ("mlp/c_fc/w", (n_embd, 4 * n_embd)), ("mlp/c_fc/b", (4 * n_embd,)),
                ("mlp/c_proj/w", (4 * n_embd, n_embd)), ("mlp/c_proj/b", (n_embd,)),
            ):  # fmt: skip
                tensor(p + name, *shape)
    return path


def write_gguf_llama(
    path: Path,
    *,
    n_ctx: int = 256,
    n_embd: int = 64,
    n_layer: int = 2,
    n_ff: int = 128,
    answer: bytes | None = None,
) -> Path:
    """A GGUF v3 llama file with a byte-level BPE vocabulary and ChatML special tokens.

    Random weights by default. With `answer` (one byte), the weights are designed instead: every
    token embeds to the same vector, attention and feed-forward add nothing, and only the output
    row of `answer` sees that vector, so greedy decoding repeats that byte whatever the prompt —
    two such models are told apart by their answers.
    """
    rng = np.random.default_rng(2)
    tokens = [*SPECIAL, *(bytes([i]) for i in range(256))]
    n_head = 4
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(n_ctx)
    writer.add_embedding_length(n_embd)
    writer.add_block_count(n_layer)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(n_head)
    writer.add_head_count_kv(n_head)
    writer.add_rope_dimension_count(n_embd // n_head)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types([3] * len(SPECIAL) + [1] * 256)
    writer.add_token_merges([b"a b"])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)

    def tensor(name: str, *shape: int) -> None:
        if "norm" in name:
            data = np.ones(shape, np.float32)
        elif answer is None:
            data = (rng.standard_normal(shape) * 0.1).astype(np.float32)
        elif name == "token_embd.weight":
            data = np.ones(shape, np.float32)
        else:
            data = np.zeros(shape, np.float32)
            if name == "output.weight":
                data[len(SPECIAL) + answer[0]] = 1.0
        writer.add_tensor(name, data)

    tensor("token_embd.weight", len(tokens), n_embd)
    tensor("output_norm.weight", n_embd)
    tensor("output.weight", len(tokens), n_embd)
    for i in range(n_layer):
        p = f"blk.{i}."
        tensor(p + "attn_norm.weight", n_embd)
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            tensor(p + name + ".weight", n_embd, n_embd)
        tensor(p + "ffn_norm.weight", n_embd)
        tensor(p + "ffn_gate.weight", n_ff, n_embd)
        tensor(p + "ffn_up.weight", n_ff, n_embd)
        tensor(p + "ffn_down.weight", n_embd, n_ff)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
