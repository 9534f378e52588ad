"""The extras split, run for real: a hub that can import only what `.[hub,names]` installs and a
worker that can import only what `.[worker]` installs answer a question together, and the hub
process never even tries to import a model library (tests/roles.py, tests/role_guard.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import uuid
from pathlib import Path

import aiohttp
import pytest

from bots.redis_runner import free_port
from core import messages
from core.pii.vaultkey import generate
from tests import dockerfs
from tests.roles import blocked_modules
from tests.test_embedded_run import clean_env

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "roles-token-7d1e"
WAIT = 120  # seconds: a failure guard (the first worker start converts the model), never a speed goal
MODEL_LIBRARIES = {"ctransformers", "llama_cpp", "gguf"}
HUB_ONLY = {
    "slack_bolt",
    "slack_sdk",
    "telegram",
    "discord",
    "presidio_analyzer",
    "presidio_anonymizer",
    "spacy",
}


def installs(dockerfile: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The extras of the image's `pip install ".[...]"` and the wheels it adds with --no-deps."""
    image = dockerfs.read((ROOT / "docker" / dockerfile).read_text(encoding="utf-8"))
    first, *rest = image.pip_installs
    (target,) = first
    extras = tuple(target.removeprefix(".[").removesuffix("]").split(","))
    return extras, tuple(arg for args in rest for arg in args if not arg.startswith("-"))


async def spawn(tmp_path: Path, role: str, args: list[str], env: dict[str, str]):
    blocked = set(blocked_modules(*installs(f"{role}.Dockerfile")))
    if role == "hub":
        blocked |= MODEL_LIBRARIES  # recorded even where the library is not installed at all
    blocked_file = tmp_path / f"{role}.blocked.json"
    blocked_file.write_text(json.dumps(sorted(blocked)), encoding="utf-8")
    record = tmp_path / f"{role}.imports"
    record.touch()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.role_guard",
        str(blocked_file),
        str(record),
        "--",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    return proc, blocked, record


async def read_until(proc: asyncio.subprocess.Process, needle: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    while True:
        line = (await asyncio.wait_for(proc.stdout.readline(), WAIT)).decode()
        if not line:
            raise AssertionError(f"exited before printing {needle!r}:\n{''.join(seen)}")
        seen.append(line)
        if needle in line:
            return


async def stop(proc: asyncio.subprocess.Process) -> int:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), WAIT)
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


async def test_a_hub_without_model_libraries_and_a_worker_without_sdks_answer_together(tmp_path, redis_url):
    port = free_port()
    env = clean_env(
        SWITCHBOARD_REDIS_URL=redis_url,
        SWITCHBOARD_KEY_PREFIX=f"roles{uuid.uuid4().hex[:6]}",
        SWITCHBOARD_VAULT_KEY=generate(),
        SWITCHBOARD_API_TOKEN=TOKEN,
        SWITCHBOARD_HTTP_PORT=str(port),
        SWITCHBOARD_MODEL_THREADS="1",
        SWITCHBOARD_API_TIMEOUT=str(WAIT),  # a loaded CI machine generates slowly: wait, do not fail
    )
    worker_env = {k: v for k, v in env.items() if k != "SWITCHBOARD_VAULT_KEY"}  # as deployed
    worker, worker_blocked, worker_record = await spawn(tmp_path, "worker", ["worker"], worker_env)
    hub = None
    worker_log: list[str] = []
    hub_log: list[str] = []
    try:
        assert HUB_ONLY <= worker_blocked and not {"ctransformers", "gguf"} & worker_blocked
        await read_until(worker, "serving model smollm2", worker_log)
        hub, hub_blocked, hub_record = await spawn(tmp_path, "hub", ["run", "--workers", "0"], env)
        assert MODEL_LIBRARIES <= hub_blocked
        await read_until(hub, "Web chat:", hub_log)
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                assert response.status == 200, await response.text()
            body = {"conversation_id": "roles", "user_id": "tester", "text": "What is the capital of France?"}
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with session.post(
                f"http://127.0.0.1:{port}/api/v1/messages", json=body, headers=headers
            ) as response:
                assert response.status == 200, await response.text()
                answer = await response.json()
        assert answer["outcome"] == "replied", answer
        texts = [reply["text"] for reply in answer["replies"]]
        assert texts and texts[-1].strip() and messages.APOLOGY not in texts, texts
    finally:
        hub_code = await stop(hub) if hub is not None else None
        worker_code = await stop(worker)
        for proc, log in ((worker, worker_log), (hub, hub_log)):
            if proc is not None and proc.stdout is not None:
                log.append((await proc.stdout.read()).decode())
    assert hub_code == 0, "".join(hub_log)
    assert worker_code == 0, "".join(worker_log)
    tried_by_hub = set(hub_record.read_text().split())
    assert not {name.partition(".")[0] for name in tried_by_hub} & MODEL_LIBRARIES, tried_by_hub
    tried_by_worker = {name.partition(".")[0] for name in worker_record.read_text().split()}
    assert not tried_by_worker & HUB_ONLY, tried_by_worker
