"""Every entry point stops cleanly on SIGINT, SIGTERM and SIGHUP (the terminal closed), and the
private redis-server and the supervised workers die with the hub even when it is SIGKILLed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys

import pytest

from bots.redis_runner import free_port
from tests.model.tiny_models import write_gguf_llama
from tests.test_embedded_run import REDIS_LINE, ROOT, WAIT, clean_env, gone, start_hub, stop_hub

pytestmark = pytest.mark.slow

WORKER_LINE = re.compile(r"model worker started \(pid (\d+)\)")


async def until_gone(*pids: int) -> None:
    async with asyncio.timeout(WAIT):
        while not all(gone(pid) for pid in pids):
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM])
async def test_run_stops_cleanly_on_every_stop_signal(tmp_path, sig):
    hub = await start_hub(tmp_path, SWITCHBOARD_MODEL_BACKEND="none")
    redis_pid = hub.redis_pid()
    hub.proc.send_signal(sig)
    with contextlib.suppress(TimeoutError):  # stop_hub below cleans up (and fails) if it hangs
        await asyncio.wait_for(hub.proc.wait(), WAIT)
    stopped_by_itself = hub.proc.returncode is not None
    code = await stop_hub(hub)
    assert stopped_by_itself and code == 0, hub.log()
    assert "private Redis stopped" in hub.log()
    await until_gone(redis_pid)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
async def test_chat_stops_cleanly_on_every_stop_signal(tmp_path, sig):
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bots.cli", "chat"),
        cwd=ROOT,
        env=clean_env(SWITCHBOARD_MODEL_BACKEND="none", XDG_STATE_HOME=str(tmp_path)),
        stdin=asyncio.subprocess.PIPE,  # left open: the chat is waiting for a line when the signal comes
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(WAIT):
            while b"Connected." not in await proc.stdout.readline():
                pass
        proc.send_signal(sig)
        async with asyncio.timeout(WAIT):
            code = await proc.wait()
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
    log = (tmp_path / "switchboard" / "chat.log").read_text(encoding="utf-8")
    assert code == 0, log
    match = REDIS_LINE.search(log)
    assert match is not None, log
    await until_gone(int(match.group(2)))
    assert "private Redis stopped" in log


async def test_sigkill_of_the_hub_takes_its_redis_and_workers_with_it(tmp_path):
    model = write_gguf_llama(tmp_path / "tiny.gguf")
    bot = tmp_path / "tinybot.toml"
    bot.write_text(
        'skills = ["skills.help", "skills.fallback"]\n'
        f'[model]\nbackend = "ctransformers"\nname = "tiny"\npath = "{model}"\nthreads = 1\n',
        encoding="utf-8",
    )
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bots.cli", "run", "--bot", str(bot), "--port", str(port), "--workers", "2"),
        cwd=ROOT,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(WAIT):
            while "Model:" not in (lines[-1] if lines else ""):
                line = (await proc.stdout.readline()).decode()
                assert line, "".join(lines)
                lines.append(line)
        output = "".join(lines)
        assert "tiny (2 worker(s) ready)" in output and f"http://127.0.0.1:{port}/" in output
        workers = [int(pid) for pid in WORKER_LINE.findall(output)]
        redis_match = REDIS_LINE.search(output)
        assert len(workers) == 2 and redis_match is not None, output
        proc.send_signal(signal.SIGKILL)  # no handler runs: only the kernel can clean up now
        await proc.wait()
        await until_gone(int(redis_match.group(2)), *workers)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
