"""docker/compose.yaml: valid by the compose specification's own JSON schema (vendored in
tests/schemas/, Apache-2.0), and the settings that keep answers from being lost."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from core.botdef import load_bot, with_deployment
from core.model.config import with_env

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
SCHEMA = ROOT / "tests" / "schemas" / "compose-spec.json"
SHELL = {"SWITCHBOARD_VAULT_KEY": "k" * 44}
VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?::?([-?])([^}]*))?\}|\$(\w+)")


def raw() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())
    return {k.strip(): v.strip() for k, v in (p for p in pairs if len(p) == 2 and not p[0].startswith("#"))}


def interpolate(value: object, env: dict[str, str]) -> object:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` and `$$` on every string."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1) or match.group(4), match.group(2), match.group(3)
        found = env.get(name, "")
        if op == "?" and not found:
            raise ValueError(f"{name}: {arg}")
        return found or (arg if op == "-" else "")

    return VARIABLE.sub(one, value)


def resolved(extra_env: dict[str, str] | None = None) -> dict:
    return interpolate(raw(), {**SHELL, **(extra_env or {})})  # type: ignore[return-value]


def active(config: dict, *profiles: str) -> dict[str, dict]:
    return {
        name: service
        for name, service in config["services"].items()
        if not service.get("profiles") or set(service["profiles"]) & set(profiles)
    }


def test_compose_file_validates_against_the_compose_specification_schema():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.Draft7Validator(schema).validate(raw())
    jsonschema.Draft7Validator(schema).validate(resolved(env_file(DOCKER / "vllm.env")))
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict enough to catch a typo
        jsonschema.Draft7Validator(schema).validate({"services": {"hub": {"imgae": "x"}}})


def test_a_missing_vault_key_stops_compose_with_the_fix():
    with pytest.raises(ValueError, match="set SWITCHBOARD_VAULT_KEY"):
        interpolate(raw(), {})


def test_redis_keeps_jobs_across_restarts_and_never_evicts():
    command = resolved()["services"]["redis"]["command"]
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--appendonly"] == "yes" and options["--appendfsync"] == "everysec"
    assert options["--maxmemory-policy"] == "noeviction"
    assert options["--maxmemory"] == "1gb"  # a limit, so Redis refuses writes before the kernel kills it


def test_every_service_shares_redis_and_waits_for_it_and_only_the_hub_holds_the_vault_key():
    services = resolved(env_file(DOCKER / "vllm.env"))["services"]
    hub_env = services["hub"]["environment"]
    assert hub_env["SWITCHBOARD_VAULT_KEY"] == SHELL["SWITCHBOARD_VAULT_KEY"]
    for name in ("hub", "worker", "worker-gpu", "worker-vllm"):
        env = services[name]["environment"]
        assert env["SWITCHBOARD_REDIS_URL"] == "redis://redis:6379/0" == hub_env["SWITCHBOARD_REDIS_URL"]
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        if name != "hub":
            assert "SWITCHBOARD_VAULT_KEY" not in env, name  # workers see masked text only
    assert services["hub"]["ports"] == ["127.0.0.1:8080:8080"]  # the web chat: loopback only


def test_the_default_profile_runs_redis_the_hub_and_n_cpu_workers():
    config = resolved()
    assert set(active(config)) == {"redis", "hub", "worker"}
    assert config["services"]["worker"]["deploy"]["replicas"] == "2"
    assert resolved({"SWITCHBOARD_CPU_WORKERS": "5"})["services"]["worker"]["deploy"]["replicas"] == "5"
    assert config["services"]["worker"]["build"]["dockerfile"] == "docker/worker.Dockerfile"


def test_the_gpu_profile_adds_a_worker_that_reserves_an_nvidia_gpu():
    config = resolved()
    assert set(active(config, "gpu")) == {"redis", "hub", "worker", "worker-gpu"}
    gpu = config["services"]["worker-gpu"]
    assert gpu["build"]["dockerfile"] == "docker/worker-gpu.Dockerfile"
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device == {"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}


def model_of(env: dict[str, str]):
    """The model a process with this environment serves or asks for (the real config code)."""
    bot = load_bot(env.get("SWITCHBOARD_BOT", "assistant"))
    return with_env(bot.model, {k: str(v) for k, v in env.items()}).specs()[0]


def test_in_every_profile_each_worker_serves_the_queue_the_hub_asks():
    for profiles, extra in (((), {}), (("gpu",), {}), (("vllm",), env_file(DOCKER / "vllm.env"))):
        services = active(resolved(extra), *profiles)
        asked = with_deployment(load_bot("assistant"), services["hub"]["environment"]).model.specs()[0]
        serving = [
            name
            for name, service in services.items()
            if name.startswith("worker") and service.get("deploy", {}).get("replicas", "1") != "0"
        ]
        assert serving, profiles
        for name in serving:
            assert model_of(services[name]["environment"]).name == asked.name, (profiles, name)


def test_the_vllm_profile_points_its_worker_at_the_vllm_server():
    services = active(resolved(env_file(DOCKER / "vllm.env")), "vllm")
    vllm, worker = services["vllm"], services["worker-vllm"]
    assert vllm["image"].startswith("vllm/vllm-openai:")
    options = dict(zip(vllm["command"][::2], vllm["command"][1::2], strict=True))
    spec = model_of(worker["environment"])
    assert spec.backend == "openai" and spec.base_url == f"http://vllm:{options['--port']}/v1"
    assert spec.remote_model == options["--model"]
    assert worker["depends_on"]["vllm"]["condition"] == "service_healthy"
    assert "/health" in " ".join(vllm["healthcheck"]["test"])
    (device,) = vllm["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"]
    assert services["worker"]["deploy"]["replicas"] == "0"  # nobody asks SmolLM2 now
