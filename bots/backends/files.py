"""Model files: find them, check them before a native library touches them.

A truncated or corrupt GGUF file makes the native loader abort the whole process, so every
GGUF file is read with `gguf.GGUFReader` first; classic GGML files get a structural check.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from core.model.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
GGML_MAGICS = {0x67676D6C: "ggml", 0x67676D66: "ggmf", 0x67676A74: "ggjt"}


@dataclass(frozen=True, slots=True)
class ModelFile:
    path: Path
    kind: str  # "gguf" | "ggml"
    architecture: str = ""  # from GGUF metadata: "llama", "gpt2", ...
    special_tokens: dict[str, int] = field(default_factory=dict)  # e.g. {"<|im_start|>": 1}
    context: int = 0


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/switchboard`, else `~/.cache/switchboard`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "switchboard"


def inspect(path: Path) -> ModelFile:
    """Check `path` and describe it. Raises ModelFileError naming the file and the fix."""
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist — fix: set [model] path to a GGUF/GGML file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head[:4] == GGUF_MAGIC:
        return _inspect_gguf(path)
    if len(head) >= 4 and struct.unpack("<I", head[:4])[0] in GGML_MAGICS:
        _check_ggml(path)
        return ModelFile(path, "ggml")
    raise ModelFileError(f"{path} is neither a GGUF nor a GGML model file — fix: point [model] path at one")


def _inspect_gguf(path: Path) -> ModelFile:
    import gguf

    try:
        reader = gguf.GGUFReader(path)
        size = path.stat().st_size
        for tensor in reader.tensors:
            if tensor.data_offset + tensor.n_bytes > size:
                raise ValueError(f"tensor {tensor.name} runs past the end of the file")
    except Exception as exc:  # noqa: BLE001 — any parse failure means: do not load it
        raise ModelFileError(
            f"{path} is not a valid GGUF file ({type(exc).__name__}: {str(exc)[:120]}) — "
            "fix: download or convert it again"
        ) from None
    arch_field = reader.fields.get("general.architecture")
    architecture = str(arch_field.contents()) if arch_field is not None else ""
    special: dict[str, int] = {}
    tokens = reader.fields.get("tokenizer.ggml.tokens")
    if tokens is not None:
        for index, part in enumerate(tokens.data):
            raw = bytes(tokens.parts[part])
            if raw.startswith(b"<|") and raw.endswith(b"|>"):
                special[raw.decode("utf-8", "replace")] = index
    ctx_field = reader.fields.get(f"{architecture}.context_length")
    context = int(ctx_field.contents()) if ctx_field is not None else 0
    return ModelFile(path, "gguf", architecture, special, context)


def _check_ggml(path: Path) -> None:
    """A classic GGML file: header, vocabulary and tensor table must fit the file size."""
    size = path.stat().st_size
    try:
        with path.open("rb") as f:
            magic = struct.unpack("<I", f.read(4))[0]
            if GGML_MAGICS[magic] != "ggml":
                f.read(4)  # file version
            n_vocab, _ctx, _embd, _head, _layer, _ftype = struct.unpack("<6i", f.read(24))
            if not 0 < n_vocab < 10_000_000:
                raise ValueError("implausible vocabulary size")
            (count,) = struct.unpack("<i", f.read(4))
            for _ in range(count):
                (length,) = struct.unpack("<i", f.read(4))
                f.seek(length + (4 if GGML_MAGICS[magic] != "ggml" else 0), os.SEEK_CUR)
            if f.tell() > size:
                raise ValueError("vocabulary runs past the end of the file")
            tensors = 0
            while f.tell() < size:
                n_dims, name_len, ttype = struct.unpack("<3i", f.read(12))
                dims = struct.unpack(f"<{n_dims}i", f.read(4 * n_dims))
                f.seek(name_len, os.SEEK_CUR)
                if GGML_MAGICS[magic] == "ggjt":
                    f.seek((-f.tell()) % 32, os.SEEK_CUR)
                f.seek(_tensor_bytes(ttype, dims), os.SEEK_CUR)
                if f.tell() > size:
                    raise ValueError("a tensor runs past the end of the file")
                tensors += 1
            if tensors == 0:
                raise ValueError("no tensors")
    except (struct.error, KeyError, ValueError) as exc:
        raise ModelFileError(
            f"{path} is not a valid GGML file ({exc or type(exc).__name__}) — fix: download it again"
        ) from None


# (block size, bytes per block) of the GGML tensor types older files use.
_GGML_TYPES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34)}


def _tensor_bytes(ttype: int, dims: tuple[int, ...]) -> int:
    if ttype not in _GGML_TYPES:
        raise ValueError(f"unknown tensor type {ttype}")
    block, nbytes = _GGML_TYPES[ttype]
    count = 1
    for dim in dims:
        count *= dim
    return count // block * nbytes
