"""What the ingress benchmarks (slack, discord, helpdesk) share: each server runs in its own
process pinned to one core, the load comes from this process (pinned to the other cores where
there are any) over keep-alive HTTP/1.1 connections with a minimal client, so that the client is
not the bottleneck; the two sides run interleaved, twice, and the best round of each counts (the
machine is shared and noisy).

A benchmark module runs `python -m bench.<name> serve KIND [ARGS]`, which calls `serve(app)`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

CONNECTIONS = 16
ROUNDS = 2
Requests = Callable[[int, int], list[bytes]]


def raw_post(path: str, headers: dict[str, str], body: bytes) -> bytes:
    """One complete HTTP/1.1 POST, as the load client writes it."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def serve(app: Awaitable[Any]) -> None:
    """Server mode: listen on a free loopback port, print it, run until terminated."""
    import logging

    from aiohttp import web

    logging.disable(logging.WARNING)
    runner = web.AppRunner(await app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


async def _one_connection(port: int, queue: list[bytes], latencies: list[float], statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while queue:
        request = queue.pop()
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        code = head[9:12].decode()
        statuses[code] = statuses.get(code, 0) + 1
    writer.close()


async def load(port: int, requests: list[bytes]) -> tuple[float, list[float], dict]:
    queue = list(reversed(requests))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    await asyncio.gather(*(_one_connection(port, queue, latencies, statuses) for _ in range(CONNECTIONS)))
    return time.perf_counter() - started, latencies, statuses


def percentile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def measure(
    module: str, kind: str, requests: Requests, warmup: int, measured: int, offset: int, cpu: int, *args: str
) -> dict[str, Any]:
    """One server process of `kind`, pinned to `cpu`: warm up, then time `measured` requests."""
    server = subprocess.Popen(
        [sys.executable, "-m", module, "serve", kind, *args],
        stdout=subprocess.PIPE,
        preexec_fn=(lambda: os.sched_setaffinity(0, {cpu})),
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        asyncio.run(load(port, requests(warmup, offset)))
        elapsed, latencies, statuses = asyncio.run(load(port, requests(measured, offset + warmup)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "rate": measured / elapsed,
        "p50": percentile_ms(latencies, 0.50),
        "p99": percentile_ms(latencies, 0.99),
        "statuses": statuses,
    }


def compare(
    module: str, names: dict[str, str], requests: Requests, warmup: int, measured: int, *args: str
) -> dict[str, dict[str, Any]]:
    """Interleaved rounds of every kind in `names` (reference first, ours last); prints the table
    and returns the best round of each kind."""
    cpus = sorted(os.sched_getaffinity(0))
    print(f"server pinned to CPU {cpus[0]}, load from CPU(s) {cpus[1:] or cpus}")
    results: dict[str, dict[str, Any]] = {}
    kinds: Sequence[str] = list(names)
    os.sched_setaffinity(0, set(cpus[1:] or cpus))  # the load off the servers' core
    try:
        for round_no in range(ROUNDS):
            for index, kind in enumerate(kinds):
                offset = (round_no * len(kinds) + index) * 1_000_000
                result = measure(module, kind, requests, warmup, measured, offset, cpus[0], *args)
                if kind not in results or result["rate"] > results[kind]["rate"]:
                    results[kind] = result
    finally:
        os.sched_setaffinity(0, set(cpus))  # the next benchmark of this run starts from all cores
    print(f"{'endpoint':<44} {'acks/s':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind in kinds:
        r = results[kind]
        print(f"{names[kind]:<44} {r['rate']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f}  {r['statuses']}")
    return results
