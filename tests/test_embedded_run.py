"""`switchboard run` and `switchboard chat` as real subprocesses on the embedded defaults:
no Redis configured (a private one is started and stopped), SIGTERM shuts down cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from bots.redis_runner import free_port
from core import messages
from tests import slow_skills

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "embedded-run-token-5b1c"
WAIT = 60  # seconds: a failure guard only, never a speed assertion
REDIS_LINE = re.compile(r"private Redis started on 127\.0\.0\.1:(\d+) \(pid (\d+)\)")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(extra)
    return env


def gone(pid: int) -> bool:
    """True when `pid` no longer runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    return state in {"Z", "X"}


def group_gone(pgid: int) -> bool:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] not in {"Z", "X"}:
            members.append(stat.parent.name)
    return not members


@dataclass
class Hub:
    proc: asyncio.subprocess.Process
    port: int
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _stderr_task: asyncio.Task | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def read_until(self, needle: str) -> str:
        assert self.proc.stdout is not None
        while True:
            line = (await asyncio.wait_for(self.proc.stdout.readline(), WAIT)).decode()
            if not line:
                raise AssertionError(f"hub exited before printing {needle!r}: {self.log()}")
            self.stdout.append(line)
            if needle in line:
                return line

    async def wait_log(self, needle: str) -> str:
        while True:
            found = next((line for line in self.stderr if needle in line), None)
            if found:
                return found
            if self._stderr_task is not None and self._stderr_task.done():
                raise AssertionError(f"hub log never said {needle!r}: {self.log()}")
            await asyncio.sleep(0.02)

    def log(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)

    def redis_pid(self) -> int:
        match = next((REDIS_LINE.search(line) for line in self.stderr if REDIS_LINE.search(line)), None)
        assert match is not None, self.log()
        return int(match.group(2))


async def start_hub(tmp_path: Path, **env: str) -> Hub:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots.cli",
        "run",
        cwd=ROOT,
        env=clean_env(SWITCHBOARD_HTTP_PORT=str(port), SWITCHBOARD_API_TOKEN=TOKEN, **env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    hub = Hub(proc, port)

    async def pump() -> None:
        assert proc.stderr is not None
        async for line in proc.stderr:
            hub.stderr.append(line.decode())

    hub._stderr_task = asyncio.create_task(pump())
    await hub.read_until("Web chat:")
    return hub


async def stop_hub(hub: Hub) -> int:
    if hub.proc.returncode is None:
        hub.proc.send_signal(signal.SIGTERM)
    try:
        code = await asyncio.wait_for(hub.proc.wait(), WAIT)
    finally:
        if hub.proc.returncode is None:  # only on failure: never leave it (or its Redis) behind
            os.killpg(hub.proc.pid, signal.SIGKILL)
            await hub.proc.wait()
            for match in filter(None, map(REDIS_LINE.search, hub.stderr)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(match.group(2)), signal.SIGKILL)
    assert hub.proc.stdout is not None
    hub.stdout.append((await hub.proc.stdout.read()).decode())
    if hub._stderr_task is not None:
        await hub._stderr_task
    return code


async def post(session: aiohttp.ClientSession, hub: Hub, text: str, **extra: str) -> dict:
    body = {"conversation_id": "term", "user_id": "tester", "text": text, **extra}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with session.post(f"{hub.base}/api/v1/messages", json=body, headers=headers) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_run_chats_over_rest_and_stops_cleanly_on_sigterm(tmp_path):
    hub = await start_hub(tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{hub.base}/readyz") as response:
                assert response.status == 200
            answer = await post(session, hub, "/about")
            assert answer["replies"][0]["text"].startswith("I'm assistant")
            answer = await post(session, hub, "/help")
            assert "Here is what I can do" in answer["replies"][0]["text"]
            async with session.get(f"{hub.base}/") as page:
                assert page.status == 200 and "<title>Assistant</title>" in await page.text()
        redis_pid = hub.redis_pid()
        assert not gone(redis_pid)
    finally:
        code = await stop_hub(hub)
    assert code == 0, hub.log()
    assert gone(redis_pid), "the private redis-server outlived the hub"
    assert group_gone(hub.proc.pid) and group_gone(redis_pid)
    assert f"http://127.0.0.1:{hub.port}/" in hub.log()  # it printed where to open the chat
    assert "private Redis stopped" in hub.log()
    assert TOKEN not in hub.log()


async def test_turn_in_flight_at_sigterm_is_finished_and_late_ones_rejected(tmp_path):
    definition = tmp_path / "slowbot.toml"
    definition.write_text(
        'name = "slowbot"\nskills = ["skills.help", "skills.fallback", "tests.slow_skills"]\n',
        encoding="utf-8",
    )
    release = tmp_path / "release"
    hub = await start_hub(tmp_path, SWITCHBOARD_BOT=str(definition), SWITCHBOARD_TEST_RELEASE=str(release))
    try:
        async with aiohttp.ClientSession() as session:
            in_flight = asyncio.create_task(post(session, hub, "/slow"))
            await hub.read_until(slow_skills.STARTED)
            hub.proc.send_signal(signal.SIGTERM)
            await hub.wait_log("shutting down")
            late = await post(session, hub, "/help", message_id="after-sigterm")
            assert late["outcome"] == "rejected"
            assert late["replies"][0]["text"] == messages.SHUTTING_DOWN
            release.touch()
            finished = await asyncio.wait_for(in_flight, WAIT)
        assert finished["outcome"] == "replied"
        assert [r["text"] for r in finished["replies"]] == [slow_skills.ANSWER]
        redis_pid = hub.redis_pid()
    finally:
        release.touch()
        code = await stop_hub(hub)
    assert code == 0, hub.log()
    assert gone(redis_pid)


def test_chat_in_the_terminal_answers_help_then_quits(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "chat"],
        cwd=ROOT,
        env=clean_env(XDG_STATE_HOME=str(tmp_path)),
        input="/help\n/quit\n",
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert result.returncode == 0, result.stderr
    assert "Connected." in result.stdout
    assert "bot> I'm Assistant" in result.stdout and "Here is what I can do" in result.stdout
    assert "Admin commands" in result.stdout  # the local operator is the embedded bot's admin
    log_file = tmp_path / "switchboard" / "chat.log"
    assert f"(logs go to {log_file})" in result.stdout
    log = log_file.read_text(encoding="utf-8")
    match = REDIS_LINE.search(log)
    assert match is not None and gone(int(match.group(2)))
    assert "serving model smollm2" in log  # the worker's own lines went to the file too
    assert " INFO " not in result.stdout + result.stderr  # a quiet terminal: no log records
