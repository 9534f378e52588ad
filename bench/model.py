"""Model path benchmark: SmolLM2 (threads=1) through REST -> queue -> worker -> reply, next to
a direct backend call in the same run; queue hand-off overhead; SIGKILL recovery time.

Targets (issue 3): whole-path tokens/s >= 0.95x direct; hand-off p50 <= 5 ms.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parent.parent
# A prompt whose answer runs to MAX_TOKENS, so tokens/s measures generation, not a short reply's
# fixed costs (SmolLM2 answers the capital-of-France question in 7 tokens).
QUESTION = "Write a long story about a lighthouse keeper."
PERSONA = "You are a helpful, concise assistant."
MAX_TOKENS = 96
ROUNDS = 5
HANDOFFS = 200
TOKEN = "bench-token-0123456789"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def direct(rounds: int) -> dict[str, float]:
    from bots.backends import load_engine
    from core.model.config import BUILTIN_SMOLLM2, ModelSpec
    from core.model.contract import JobRequest

    engine = load_engine(ModelSpec(name="smollm2", backend="ctransformers", path=BUILTIN_SMOLLM2, threads=1))
    rates, firsts, tokens = [], [], 0
    for _ in range(rounds):
        request = JobRequest("d", "smollm2", QUESTION, PERSONA, max_tokens=MAX_TOKENS, temperature=0)
        started = time.perf_counter()
        first = None
        count = 0
        for _piece in engine.stream(request):
            count += 1
            first = first or time.perf_counter() - started
        elapsed = time.perf_counter() - started
        rates.append(count / elapsed)
        firsts.append(first or elapsed)
        tokens = count
    return {"tokens": tokens, "tok_s": statistics.median(rates), "ttft_ms": statistics.median(firsts) * 1000}


STORY = QUESTION


def backend_rates(rounds: int) -> dict[str, dict[str, float]] | None:
    """SmolLM2 on one thread through each local backend: generation speed and first token.

    Both engines answer the same greedy request (a long answer, so generation dominates);
    tokens are counted by re-tokenizing each answer with the same vocabulary, so the rates
    compare. None without llama-cpp-python.
    """
    import importlib.util

    if importlib.util.find_spec("llama_cpp") is None:
        return None
    from bots.backends import load_engine
    from core.model.config import BUILTIN_SMOLLM2, ModelSpec
    from core.model.contract import JobRequest

    engines = {
        name: load_engine(
            ModelSpec(name="smollm2", backend=name, path=BUILTIN_SMOLLM2, threads=1, context=2048)
        )
        for name in ("ctransformers", "llama_cpp")
    }
    tokenize = engines["ctransformers"].tokenize  # type: ignore[attr-defined]
    results: dict[str, dict[str, float]] = {}
    for name, engine in engines.items():
        rates, decode, firsts, tokens = [], [], [], 0
        for _ in range(rounds + 1):  # the first round warms up and is not counted
            request = JobRequest("b", "smollm2", STORY, PERSONA, max_tokens=MAX_TOKENS, temperature=0)
            started = time.perf_counter()
            first = 0.0
            pieces = []
            for piece in engine.stream(request):
                pieces.append(piece)
                first = first or time.perf_counter() - started
            elapsed = time.perf_counter() - started
            tokens = len(tokenize("".join(pieces)))
            rates.append(tokens / elapsed)
            decode.append((tokens - 1) / max(elapsed - first, 1e-9))
            firsts.append(first)
        results[name] = {
            "tokens": tokens,
            "tok_s": statistics.median(rates[1:]),
            "decode_tok_s": statistics.median(decode[1:]),
            "ttft_ms": statistics.median(firsts[1:]) * 1000,
        }
    return results


def report_backends(rates: dict[str, dict[str, float]] | None) -> None:
    if rates is None:
        print("llama_cpp vs ctransformers: skipped (pip install 'switchboard[llama]' to compare)")
        return
    print(f"SmolLM2 per backend, threads=1, greedy, a {MAX_TOKENS}-token story (median of {ROUNDS}):")
    for name, row in rates.items():
        print(
            f"  {name:14} {row['decode_tok_s']:6.1f} tok/s generating, {row['tok_s']:6.1f} tok/s whole "
            f"answer ({row['tokens']:.0f} tokens), first token {row['ttft_ms']:.0f} ms"
        )
    ratio = rates["llama_cpp"]["decode_tok_s"] / rates["ctransformers"]["decode_tok_s"]
    print(f"  llama_cpp / ctransformers (generating): {ratio:.2f}x")


def write_bot(folder: Path, tiny: Path) -> Path:
    path = folder / "benchbot.toml"
    path.write_text(
        f"""name = "benchbot"
persona = "{PERSONA}"
skills = ["skills.help", "skills.fallback"]
[limits]
user_per_minute = 1000000
conversation_per_minute = 1000000
[model]
backend = "ctransformers"
threads = 1
temperature = 0
max_tokens = {MAX_TOKENS}
edit_interval_ms = 50
[[model.models]]
name = "smollm2"
path = "builtin:smollm2"
weight = 100
[[model.models]]
name = "tiny"
path = "{tiny}"
weight = 0
""",
        encoding="utf-8",
    )
    return path


def start_worker(bot: Path, url: str, model: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SWITCHBOARD_REDIS_URL": url, "SWITCHBOARD_LOG_LEVEL": "WARNING"}
    args = [
        sys.executable,
        "-m",
        "bots.cli",
        "--log-level",
        "WARNING",
        "worker",
        "--bot",
        str(bot),
        "--model",
        model,
    ]
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


async def wait_for_worker(redis: Redis, pid: int) -> None:
    from core.model.contract import ModelKeys

    keys = ModelKeys("sb")
    async with asyncio.timeout(120):
        while True:
            for name in await redis.smembers(keys.workers):
                if f".{pid}." in name and await redis.exists(keys.worker(name)):
                    return
            await asyncio.sleep(0.05)


async def whole_path(redis: Redis, url: str, folder: Path, tiny: Path, direct_tokens: int) -> dict[str, Any]:
    from adapters.rest import RestAdapter
    from adapters.webchat import WebChatAdapter
    from bots.compose import assemble
    from core.botdef import load_bot
    from core.secrets import Secret

    bot_file = write_bot(folder, tiny)
    bot = load_bot(str(bot_file))
    assembly = assemble(bot, redis, adapters=[RestAdapter(Secret(TOKEN), timeout_s=300), WebChatAdapter()])
    service = assembly.model_service
    await assembly.hub.start()
    await service.start()
    runner = web.AppRunner(assembly.http_app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    base = "http://{}:{}".format(*runner.addresses[0][:2])
    procs = [
        start_worker(bot_file, url, "smollm2", folder / "w1.log"),
        start_worker(bot_file, url, "tiny", folder / "w2.log"),
    ]
    results: dict[str, Any] = {}
    try:
        for proc in procs:
            await wait_for_worker(redis, proc.pid)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with aiohttp.ClientSession() as http:

            async def ask(conversation: str) -> float:
                body = {"conversation_id": conversation, "user_id": "bench", "text": QUESTION}
                started = time.perf_counter()
                async with http.post(f"{base}/api/v1/messages", json=body, headers=headers) as response:
                    await response.json()
                return time.perf_counter() - started

            latencies = [await ask(f"rest-{n}") for n in range(ROUNDS)]
            results["tok_s"] = direct_tokens / statistics.median(latencies)
            firsts = []
            for n in range(ROUNDS):
                async with http.ws_connect(f"{base}/ws?session=bench-session-{n}") as ws:
                    await ws.receive_json()
                    started = time.perf_counter()
                    await ws.send_json({"type": "message", "id": f"q{n}", "text": QUESTION})
                    while (await ws.receive_json())["type"] != "reply":
                        pass
                    firsts.append(time.perf_counter() - started)
                    while (frame := await ws.receive_json())["type"] != "typing" or frame["active"]:
                        pass
            results["ttft_ms"] = statistics.median(firsts) * 1000
            await service.router.set_override(bot, "tiny")
            service.delivery.handoff_ms.clear()
            round_trips = [await ask(f"handoff-{n}") for n in range(HANDOFFS)]
            results["handoff"] = list(service.delivery.handoff_ms)
            results["round_trip"] = round_trips
            await service.router.set_override(bot, "smollm2")
            results["recovery"] = await recovery(redis, http, base, headers, bot_file, url, folder, procs)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=20)
        await service.stop()
        await assembly.hub.stop(grace=2)
        await runner.cleanup()
    return results


async def recovery(redis: Redis, http: Any, base: str, headers: dict[str, str], bot_file: Path, url: str,
                   folder: Path, procs: list[subprocess.Popen[bytes]]) -> dict[str, float]:  # fmt: skip
    """SIGKILL the SmolLM2 worker mid-job, start a new one at once; time until the job runs again."""
    from core.model.contract import ModelKeys

    keys = ModelKeys("sb")
    body = {
        "conversation_id": "recovery",
        "user_id": "bench",
        "text": "Write a long story about a lighthouse.",
    }
    answer = asyncio.ensure_future(http.post(f"{base}/api/v1/messages", json=body, headers=headers))
    async with asyncio.timeout(60):
        while not await redis.keys(keys.lease("*")):
            await asyncio.sleep(0.01)
    procs[0].send_signal(signal.SIGKILL)
    procs[0].wait()
    killed = time.perf_counter()
    procs[0] = start_worker(bot_file, url, "smollm2", folder / "w3.log")
    (job_key,) = await redis.keys(keys.pending("*"))
    async with asyncio.timeout(60):
        while await redis.hget(job_key, "attempt") != "2":
            await asyncio.sleep(0.01)
    requeued = time.perf_counter() - killed
    async with asyncio.timeout(60):
        while not await redis.keys(keys.lease("*")):
            await asyncio.sleep(0.01)
    restarted = time.perf_counter() - killed
    response = await answer
    await response.json()
    return {"requeued_s": requeued, "running_again_s": restarted, "answered_s": time.perf_counter() - killed}


async def run() -> None:
    from bots.redis_runner import PrivateRedis
    from tests.model.tiny_models import write_gguf_llama

    report_backends(backend_rates(ROUNDS))
    print(f"SmolLM2-135M-Instruct Q4_1, ctransformers, threads=1, greedy, up to {MAX_TOKENS} tokens")
    before = direct(ROUNDS)
    with PrivateRedis() as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        tiny = write_gguf_llama(folder / "tiny.gguf")
        redis = Redis.from_url(server.url, decode_responses=True)
        try:
            path = await whole_path(redis, server.url, folder, tiny, before["tokens"])
        finally:
            await redis.aclose()
    # The machine's speed drifts: the reference is the direct call measured before and after.
    after = direct(ROUNDS)
    reference = {
        "tokens": before["tokens"],
        "tok_s": (before["tok_s"] + after["tok_s"]) / 2,
        "ttft_ms": (before["ttft_ms"] + after["ttft_ms"]) / 2,
    }
    handoff, trips = path["handoff"], [t * 1000 for t in path["round_trip"]]
    rows = [
        (
            "direct backend call (before/after)",
            f"{reference['tok_s']:.1f} tok/s",
            f"{reference['ttft_ms']:.0f} ms",
        ),
        (
            "REST -> queue -> worker -> reply",
            f"{path['tok_s']:.1f} tok/s",
            f"{path['ttft_ms']:.0f} ms (web chat)",
        ),
    ]
    print(f"{'path':36} {'tokens/s':>14} {'first token':>22}")
    for name, rate, first in rows:
        print(f"{name:36} {rate:>14} {first:>22}")
    ratio = path["tok_s"] / reference["tok_s"]
    print(
        f"whole-path / direct tokens/s: {ratio:.3f}  (target >= 0.95: {'met' if ratio >= 0.95 else 'MISSED'})"
    )
    p50 = percentile(handoff, 0.5)
    print(
        f"queue hand-off (enqueue -> job start + result -> hub), {len(handoff)} jobs: "
        f"p50 {p50:.2f} ms, p99 {percentile(handoff, 0.99):.2f} ms  (target p50 <= 5 ms: "
        f"{'met' if p50 <= 5 else 'MISSED'})"
    )
    print(
        f"REST round trip on a tiny random model ({MAX_TOKENS} tokens, ~10 ms of generation): "
        f"p50 {percentile(trips, 0.5):.1f} ms, p99 {percentile(trips, 0.99):.1f} ms"
    )
    rec = path["recovery"]
    print(
        f"SIGKILL recovery: job re-queued after {rec['requeued_s']:.1f} s, running again after "
        f"{rec['running_again_s']:.1f} s, answered after {rec['answered_s']:.1f} s"
    )


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
