"""Fixtures for the model path: tiny real models, real worker processes, hubs with a model."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from core.events import Reply
from core.model.contract import ModelKeys
from core.pipeline import Turn
from core.stages.pii import Masked
from tests.model.tiny_models import write_ggml_gpt2, write_gguf_llama

ROOT = Path(__file__).resolve().parents[2]
KEYS = ModelKeys("sb")
TOKEN = "test-token-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tiny-models")
    return {
        "gpt2": write_ggml_gpt2(folder / "tiny-gpt2.bin"),
        "llama": write_gguf_llama(folder / "tiny-llama.gguf"),
    }


class EmailMasker:
    """A deterministic masker: e-mail addresses become <EMAIL_n>. The originals stay in this
    object (a stand-in for the encrypted vault); the state is only a reference to them."""

    PATTERN = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")

    def __init__(self) -> None:
        self.vault: dict[str, dict[str, str]] = {}

    async def mask(self, turn: Turn) -> Masked:
        found: dict[str, str] = {}

        def swap(match: re.Match[str]) -> str:
            placeholder = f"<EMAIL_{len(found) + 1}>"
            found[placeholder] = match.group(0)
            return placeholder

        text = self.PATTERN.sub(swap, turn.event.text)
        self.vault[turn.id] = found
        return Masked(text, {"vault": turn.id}, ("EMAIL_ADDRESS",) * len(found))

    async def restore(self, state: Any, reply: Reply) -> Reply:
        text = reply.text
        for placeholder, value in self.vault.get((state or {}).get("vault", ""), {}).items():
            text = text.replace(placeholder, value)
        return reply.with_text(text)

    async def restore_partial(self, state: Any, reply: Reply) -> Reply:
        restored = await self.restore(state, reply)
        cut = restored.text.rfind("<")
        if cut != -1 and ">" not in restored.text[cut:]:
            return restored.with_text(restored.text[:cut])
        return restored


def bot_toml(path: Path, model: dict[str, Any], **top: Any) -> Path:
    """Write a bot definition with the given [model] table (for worker processes)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ['name = "testbot"', 'skills = ["skills.help", "skills.about", "skills.fallback"]']
    lines += [f"{k} = {value(v)}" for k, v in top.items()]
    lines.append("[model]")
    models = model.pop("models", [])
    lines += [f"{k} = {value(v)}" for k, v in model.items()]
    for entry in models:
        lines.append("[[model.models]]")
        lines += [f"{k} = {value(v)}" for k, v in entry.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class WorkerProcess:
    """`switchboard worker` as a real child process."""

    def __init__(
        self,
        bot: Path,
        redis_url: str,
        model: str | None = None,
        log: Path | None = None,
        *,
        module: str = "bots.cli",
    ) -> None:
        self.bot = bot
        self.redis_url = redis_url
        self.model = model
        self.log = log or bot.with_suffix(f".worker{os.getpid()}.log")
        self.module = module  # tests.model.faulty_worker: the same worker, with faults on cue
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        env = {**os.environ, "SWITCHBOARD_REDIS_URL": self.redis_url, "SWITCHBOARD_MODEL_THREADS": "1"}
        args = [sys.executable, "-m", self.module, "worker", "--bot", str(self.bot)]
        if self.model:
            args += ["--model", self.model]
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        return self

    async def ready(self, redis: Redis, timeout: float = 60.0) -> None:
        """Wait until this process announced itself with a heartbeat."""
        assert self.proc is not None
        async with asyncio.timeout(timeout):
            while True:
                assert self.proc.poll() is None, f"worker exited early: {self.output()[-2000:]}"
                for name in await redis.smembers(KEYS.workers):
                    if f".{self.proc.pid}." in name and await redis.exists(KEYS.worker(name)):
                        return
                await asyncio.sleep(0.05)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers() -> Any:
    started: list[WorkerProcess] = []

    def start(bot: Path, redis_url: str, model: str | None = None) -> WorkerProcess:
        worker = WorkerProcess(bot, redis_url, model).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
async def modelkit(redis: Redis) -> AsyncIterator[Any]:
    """Builds full hubs (real stages, real Redis) whose bot has the given [model] config, with
    the model service started; everything is stopped at the end."""
    from bots.compose import assemble
    from core.botdef import parse_bot
    from tests.fakes import FakeAdapter

    built: list[Any] = []

    async def build(
        adapter: Any = None,
        *,
        masker: Any = None,
        model: dict[str, Any],
        settings: Any = None,
        **overrides: Any,
    ) -> Any:
        data = {
            "name": "testbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "admins": ["fake:root"],
            "model": model,
            **overrides,
        }
        adapter = adapter or FakeAdapter()
        bot = parse_bot(data, source="test")
        assembly = assemble(bot, redis, adapters=[adapter], masker=masker, settings=settings)
        await assembly.hub.start()
        await assembly.model_service.start()
        built.append(assembly)
        return assembly, adapter

    yield build
    for assembly in built:
        await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)


@pytest.fixture
async def http_hub(redis: Redis) -> AsyncIterator[Any]:
    """A hub with the REST API (bearer TOKEN) and the web chat on a real port, its model service
    running; `start(model, admins=[...])` returns the base URL."""
    from aiohttp import web

    from adapters.rest import RestAdapter
    from adapters.webchat import WebChatAdapter
    from bots.compose import assemble
    from core.botdef import parse_bot
    from core.secrets import Secret

    stack: list[tuple[Any, web.AppRunner]] = []

    async def start(model: dict[str, Any], *, admins: list[str] | None = None) -> str:
        data = {"name": "testbot", "skills": ["skills.help", "skills.fallback"], "model": model}
        bot = parse_bot({**data, "admins": admins or []}, source="t")
        adapters = [RestAdapter(Secret(TOKEN), timeout_s=120), WebChatAdapter()]
        assembly = assemble(bot, redis, adapters=adapters)
        await assembly.hub.start()
        await assembly.model_service.start()
        runner = web.AppRunner(assembly.http_app())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        stack.append((assembly, runner))
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield start
    for assembly, runner in stack:
        await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)
        await runner.cleanup()
