"""`make soak`: load with faults on the real stack, loopback only, bounded in time.

Two hub processes (`switchboard run`) and two model workers (the real worker with faults on
cue, tiny model) on one durable Redis. While 200 web-chat sessions send 5 messages each and 500
REST requests run 50 at a time, the soak SIGKILLs a worker mid-answer, SIGKILLs a hub replica
mid-answer (and starts it again), kills Redis for 10 s (polling /readyz meanwhile), and sends a
question that hangs the model. Prints one JSON report: sent, answered, apologised, duplicated,
lost, 5xx, p50/p99 latency, hub RSS. Targets: 0 lost, 0 duplicated, 0 5xx.

    python -m tests.soak [--sessions 200] [--rest 500] [--deadline 240]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from bots.redis_runner import PrivateRedis, free_port
from tests.model.conftest import ROOT, bot_toml
from tests.model.faulty_worker import HANG
from tests.model.tiny_models import write_gguf_llama
from tests.soak.traffic import Tally, rest_load, webchat_load

TOKEN = "soak-" + uuid.uuid4().hex


class Proc:
    """A child process that can be killed and started again with the same command."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.args, self.env, self.log = name, args, env, log
        self.popen: subprocess.Popen[bytes] | None = None
        self.exits: list[int] = []

    def start(self) -> Proc:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        return self

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        if self.popen is None or self.popen.poll() is not None:
            return 0.0
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


async def keep_workers(workers: list[Proc], stop: asyncio.Event) -> None:
    """The supervisor's job: a worker that died is started again."""
    while not stop.is_set():
        for worker in workers:
            if worker.popen is not None and worker.popen.poll() is not None:
                worker.exits.append(worker.popen.returncode)
                worker.start()
        await asyncio.sleep(0.1)


async def wait_ready(http: aiohttp.ClientSession, base: str, timeout: float = 120) -> None:
    async with asyncio.timeout(timeout):
        while True:
            try:
                async with http.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)


async def redis_outage(
    redis: PrivateRedis, http: aiohttp.ClientSession, bases: list[str], seconds: float
) -> dict[str, Any]:
    redis.kill()
    statuses: list[int] = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for base in bases:
            try:
                async with http.get(f"{base}/readyz", timeout=aiohttp.ClientTimeout(total=3)) as response:
                    statuses.append(response.status)
            except (aiohttp.ClientError, TimeoutError):
                statuses.append(0)
        await asyncio.sleep(0.5)
    redis.start()
    began = time.monotonic()
    for base in bases:
        await wait_ready(http, base, timeout=60)
    return {
        "seconds": seconds,
        "readyz_during": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "recovered_in_s": round(time.monotonic() - began, 2),
    }


async def faults(
    redis: PrivateRedis, hubs: list[Proc], workers: list[Proc], bases: list[str], report: dict[str, Any]
) -> None:
    async with aiohttp.ClientSession() as http:
        await asyncio.sleep(4)
        workers[0].kill()  # mid-answer: the traffic keeps both workers busy
        report["worker_killed_at_s"] = 4
        await asyncio.sleep(4)
        victim = len(hubs) - 1  # with two replicas the other finishes; with one, it restarts
        hubs[victim].kill()  # mid-answer
        await asyncio.sleep(1)
        hubs[victim].start()
        await wait_ready(http, bases[victim])
        report["hub_killed_at_s"] = 8
        await asyncio.sleep(3)
        report["redis_outage"] = await redis_outage(redis, http, bases, 10.0)


async def hang_check(base: str) -> dict[str, Any]:
    """One question that hangs the model: the person gets the timeout apology."""
    body = {"conversation_id": "hang", "user_id": "hang", "text": f"please answer {HANG}"}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    began = time.monotonic()
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/api/v1/messages", json=body, headers=headers) as response:
            data = await response.json()
    replies = data.get("replies", [])
    return {
        "status": response.status,
        "apology": bool(replies) and all(r["notice"] for r in replies),
        "seconds": round(time.monotonic() - began, 1),
    }


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="switchboard-soak-"))
    model = {
        "backend": "ctransformers",
        "name": "tiny",
        "path": str(write_gguf_llama(folder / "tiny.gguf")),
        "max_tokens": 12,
        "temperature": 0,
        "job_timeout_s": 5,
        "wait_timeout_s": 90,
        "busy_depth": 100_000,
        "max_queue": 1_000_000,
    }
    rates = {"user_per_minute": 100_000, "conversation_per_minute": 100_000}
    bot = bot_toml(folder / "soak.toml", dict(model), **{})
    with bot.open("a", encoding="utf-8") as handle:
        handle.write("[limits]\n" + "".join(f"{k} = {v}\n" for k, v in rates.items()))
    redis = PrivateRedis(durable=True).start()
    env = {
        **os.environ,
        "SWITCHBOARD_REDIS_URL": redis.url,
        "SWITCHBOARD_API_TOKEN": TOKEN,
        "SWITCHBOARD_HTTP_HOST": "127.0.0.1",
        "SWITCHBOARD_API_TIMEOUT": "60",
        "SWITCHBOARD_MODEL_THREADS": "1",
        "SWITCHBOARD_WORKER_WATCHDOG_S": "3",
        "SWITCHBOARD_LOG_LEVEL": args.log_level,
    }
    ports = [free_port() for _ in range(args.replicas)]
    hubs = [
        Proc(
            f"hub{i}",
            [sys.executable, "-m", "bots.cli", "run", "--bot", str(bot)],
            {**env, "SWITCHBOARD_HTTP_PORT": str(port)},
            folder / f"hub{i}.log",
        ).start()
        for i, port in enumerate(ports)
    ]
    workers = [
        Proc(
            f"worker{i}",
            [sys.executable, "-m", "tests.model.faulty_worker", "worker", "--bot", str(bot)],
            env,
            folder / f"worker{i}.log",
        ).start()
        for i in range(2)
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    report: dict[str, Any] = {"logs": str(folder)}
    stop = asyncio.Event()
    try:
        async with aiohttp.ClientSession() as http:
            for base in bases:
                await wait_ready(http, base)
        await asyncio.sleep(2)  # workers load the model
        report["rss_mb_start"] = [round(h.rss_mb()) for h in hubs]
        supervisor = asyncio.get_running_loop().create_task(keep_workers(workers, stop))
        chat, rest = Tally(), Tally()
        began = time.monotonic()
        try:
            async with asyncio.timeout(args.deadline):
                await asyncio.gather(
                    webchat_load(bases, args.sessions, 5, chat),
                    rest_load(bases, args.rest, 50, TOKEN, rest),
                    *([] if args.no_faults else [faults(redis, hubs, workers, bases, report)]),
                )
                report["hang"] = await hang_check(bases[0])
        except TimeoutError:
            report["deadline_hit"] = True
            report.setdefault("hang", {"apology": False})
        report["load_s"] = round(time.monotonic() - began, 1)
        report["webchat"] = chat.summary()
        report["rest"] = rest.summary()
        report["rss_mb_end"] = [round(h.rss_mb()) for h in hubs]
        report["worker_exits"] = [w.exits for w in workers]
        stop.set()
        await supervisor
    finally:
        stop.set()
        for proc in [*hubs, *workers]:
            proc.stop()
        redis.stop()
    return report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--rest", type=int, default=500)
    parser.add_argument("--deadline", type=float, default=240.0)
    parser.add_argument("--no-faults", action="store_true", help="load only: the reference run")
    parser.add_argument("--replicas", type=int, default=2, choices=(1, 2))
    parser.add_argument("--log-level", default="WARNING")
    report = asyncio.run(soak(parser.parse_args()))
    print(json.dumps(report, indent=2))
    totals = [report["webchat"], report["rest"]]
    failed = any(t["lost"] or t["duplicated"] or t["5xx"] for t in totals) or not report["hang"]["apology"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
