"""Worker-side backends on tiny real models: generation, truncation, bad files, device choice."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bots.backends import load_engine, prompt
from bots.backends.device import cpu_lib, place
from bots.backends.files import inspect
from core.errors import ConfigError, ModelUnavailableError
from core.model.config import ModelConfig, ModelSpec, with_env
from core.model.contract import JobRequest
from core.model.errors import BackendUnavailableError, ModelFileError
from tests.model.conftest import ROOT, bot_toml


def ask(model: str, text: str = "hello there", **kw: object) -> JobRequest:
    return JobRequest(job_id="j1", model=model, prompt=text, system="Be brief.", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["gpt2", "llama"])
def test_tiny_model_generates_text(tiny_models, kind):
    engine = load_engine(
        ModelSpec(name=kind, backend="ctransformers", path=str(tiny_models[kind]), threads=1)
    )
    pieces = list(engine.stream(ask(kind, max_tokens=24, temperature=0.8)))
    assert 0 < len(pieces) <= 24
    assert all(isinstance(p, str) for p in pieces)


def test_greedy_generation_is_repeatable(tiny_models):
    engine = load_engine(
        ModelSpec(name="l", backend="ctransformers", path=str(tiny_models["llama"]), threads=1)
    )
    first = "".join(engine.stream(ask("l", max_tokens=16, temperature=0)))
    again = "".join(engine.stream(ask("l", max_tokens=16, temperature=0)))
    assert first == again


def test_gguf_chat_prompt_uses_chatml_special_ids(tiny_models):
    engine = load_engine(
        ModelSpec(name="l", backend="ctransformers", path=str(tiny_models["llama"]), threads=1)
    )
    ids = engine.prompt_ids(ask("l", "hi"))
    assert ids.count(1) == 3  # <|im_start|> for system, user and the assistant's turn
    assert ids.count(2) == 2  # <|im_end|> after system and user


def test_long_conversation_is_cut_to_the_context(tiny_models):
    engine = load_engine(
        ModelSpec(name="l", backend="ctransformers", path=str(tiny_models["llama"]), threads=1, context=256)
    )
    history = tuple(("user" if i % 2 == 0 else "assistant", f"message number {i} " * 2) for i in range(40))
    request = ask("l", "the newest question", history=history, max_tokens=64)
    ids = engine.prompt_ids(request)
    assert len(ids) <= engine.context - 64
    text = bytes(b for t in ids if t > 2 for b in [t - 3]).decode("latin-1")
    assert "the newest question" in text and "Be brief." in text
    assert "message number 39" in text and "message number 0 " not in text
    assert len(list(engine.stream(request))) > 0  # and it still generates


def test_fit_keeps_system_and_newest_turns_and_cuts_an_oversized_question():
    system = prompt.Block((1,), tuple(range(100, 110)), (2,))
    turns = [prompt.Block((1,), tuple(range(n * 10, n * 10 + 8)), (2,)) for n in range(1, 6)]
    ids = prompt.fit(system, turns, [1, 9], budget=36)
    assert len(ids) <= 36
    assert ids[:12] == system.ids() and ids[-2:] == [1, 9]
    assert turns[-1].ids() == ids[-12:-2] and turns[0].ids()[1] not in ids
    huge = prompt.Block((1,), tuple(range(1000, 1100)), (2,))
    cut = prompt.fit(system, [huge], [1, 9], budget=40)
    assert len(cut) == 40 and cut[12] == 1 and cut[-3] == 2 and cut[-4] == 1099  # keeps the end of it


def test_corrupt_gguf_gives_a_clear_error_and_the_process_survives(tiny_models, tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(tiny_models["llama"].read_bytes()[:300_000])
    with pytest.raises(ModelFileError, match="not a valid GGUF file"):
        load_engine(ModelSpec(name="b", backend="ctransformers", path=str(broken)))
    truncated = tmp_path / "broken.bin"
    truncated.write_bytes(tiny_models["gpt2"].read_bytes()[:200_000])
    with pytest.raises(ModelFileError, match="not a valid GGML file"):
        inspect(truncated)
    with pytest.raises(ModelFileError, match="does not exist"):
        inspect(tmp_path / "missing.gguf")
    assert inspect(tiny_models["llama"]).architecture == "llama"  # this process is still here


def test_worker_with_a_corrupt_model_exits_with_a_clear_message(tiny_models, tmp_path, redis_url):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(tiny_models["llama"].read_bytes()[:1000])
    bot = bot_toml(tmp_path / "bot.toml", {"backend": "ctransformers", "name": "b", "path": str(broken)})
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "worker", "--bot", str(bot)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SWITCHBOARD_REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "not a valid GGUF file" in done.stderr and "Traceback" not in done.stderr


def test_worker_pointed_at_a_hub_repo_offline_says_so_in_one_line(tmp_path, redis_url):
    model = {"backend": "ctransformers", "name": "remote", "repo": "nobody/no-such-model-GGUF"}
    bot = bot_toml(tmp_path / "bot.toml", {**model, "model_file": "model.Q4_0.gguf"})
    done = subprocess.run(
        [sys.executable, "-m", "bots.cli", "worker", "--bot", str(bot)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "HF_HOME": str(tmp_path / "hf"),
            "HF_HUB_OFFLINE": "1",  # the hub is unreachable here anyway; this keeps it so everywhere
            "SWITCHBOARD_REDIS_URL": redis_url,
            "SWITCHBOARD_MODEL_DEVICE": "cpu",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("The worker cannot serve its model: could not download nobody/no-such-model-GGUF")
    assert "Hugging Face hub" in line and "fix: " in line


def test_gpu_requested_on_a_cpu_machine_falls_back_with_a_log_line(tiny_models, caplog):
    caplog.set_level(logging.INFO)
    spec = ModelSpec(
        name="g", backend="ctransformers", path=str(tiny_models["gpt2"]), device="gpu", gpu_layers=20
    )
    engine = load_engine(spec)
    if engine.placement.device == "gpu":
        pytest.skip("this machine has a working CUDA device")
    assert any(
        "GPU requested" in r.getMessage() and "falling back to CPU" in r.getMessage() for r in caplog.records
    )
    assert engine.placement.gpu_layers == 0 and engine.placement.lib in {"avx2", "avx", "basic"}
    assert "".join(engine.stream(ask("g", max_tokens=4)))  # and it answers on the CPU


def test_cpu_build_follows_the_cpu_flags():
    assert cpu_lib("flags\t: fpu sse2 avx avx2 fma\n") == "avx2"
    assert cpu_lib("flags\t: fpu sse2 avx\n") == "avx"
    assert cpu_lib("flags\t: fpu sse2\n") == "basic"
    assert place("cpu", 50, cuda_loads=True).gpu_layers == 0


def test_llama_cpp_backend_explains_how_to_install_it(tiny_models):
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("llama-cpp-python is installed here")
    with pytest.raises(BackendUnavailableError, match=r"pip install 'switchboard\[llama\]'"):
        load_engine(ModelSpec(name="x", backend="llama_cpp", path=str(tiny_models["llama"])))


def test_unreachable_hub_repo_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    spec = ModelSpec(name="r", backend="ctransformers", repo="nobody/no-such-model-GGUF", model_file="x.gguf")
    with pytest.raises(ModelUnavailableError, match="could not download"):
        load_engine(spec)


def test_model_settings_inherit_and_environment_overrides():
    config = ModelConfig(
        backend="ctransformers",
        threads=2,
        models=[
            ModelSpec(name="small", path="/m/small.gguf", weight=60),
            ModelSpec(name="big", backend="openai", base_url="http://127.0.0.1:9/v1", weight=40),
        ],
    )
    small, big = config.specs()
    assert (small.backend, small.threads, big.backend, big.threads) == ("ctransformers", 2, "openai", 2)
    overridden = with_env(config, {"SWITCHBOARD_MODEL_THREADS": "1", "SWITCHBOARD_MODEL_DEVICE": "cpu"})
    assert {s.threads for s in overridden.specs()} == {1}
    with pytest.raises(ConfigError, match="SWITCHBOARD_MODEL_DEVICE"):
        with_env(config, {"SWITCHBOARD_MODEL_DEVICE": "tpu"})


def test_builtin_model_is_converted_once_and_answers(tmp_path):
    """SmolLM2 through ctransformers (the conversion is cached per machine)."""
    engine = load_engine(
        ModelSpec(name="smollm2", backend="ctransformers", path="builtin:smollm2", threads=1)
    )
    text = "".join(
        engine.stream(ask("smollm2", "What is the capital of France?", max_tokens=24, temperature=0))
    )
    assert "Paris" in text
    assert Path(engine.spec.path) == Path("builtin:smollm2")
