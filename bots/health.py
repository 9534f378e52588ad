"""Container health checks: `python -m bots.health hub|worker`, exit 0 when healthy, 1 when not.

- `hub`: GET /healthz on this container's port (SWITCHBOARD_HTTP_PORT).
- `worker`: a worker process of this host (container) has a fresh heartbeat in Redis — the
  same key the hubs read to decide whether a model has a live worker. A worker that is still
  loading its model has none yet: give the check a start period.

One line on stdout says why it failed; no secret (the Redis URL may hold a password) is printed.
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

import redis

from core.errors import ConfigError
from core.model.contract import ModelKeys
from core.settings import Settings

TIMEOUT_S = 2.0


def hub_problem(settings: Settings) -> str | None:
    url = f"http://127.0.0.1:{settings.http_port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 (loopback)
            return None if response.status == 200 else f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}"
    except OSError as exc:
        return f"{url} does not answer ({type(exc).__name__})"


def worker_problem(settings: Settings, host: str | None = None) -> str | None:
    if not settings.redis_url:
        return "SWITCHBOARD_REDIS_URL is not set"
    host = host or socket.gethostname()
    keys = ModelKeys(settings.key_prefix)
    client = redis.Redis.from_url(
        settings.redis_url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S
    )
    try:
        names = [n.decode() for n in client.smembers(keys.workers)]  # type: ignore[union-attr]
        ours = [n for n in names if n.startswith(f"{host}.")]  # worker names: host.pid.random
        if any(client.exists(keys.worker(name)) for name in ours):
            return None
        return f"no worker of host {host} has a fresh heartbeat"
    except redis.RedisError as exc:
        return f"Redis does not answer ({type(exc).__name__})"
    finally:
        client.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args not in (["hub"], ["worker"]):
        print("usage: python -m bots.health hub|worker")
        return 2
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"unhealthy: {exc}")
        return 1
    problem = hub_problem(settings) if args == ["hub"] else worker_problem(settings)
    if problem:
        print(f"unhealthy: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
