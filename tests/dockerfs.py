"""A small, strict reader of our Dockerfiles: the filesystem layout, users and settings an image
would have, without a Docker engine.

`dockerfile-parse` splits the file into instructions (continuation lines joined); this module
plays them: FROM, ENV, WORKDIR, COPY [--chown], USER, VOLUME and, inside RUN, the few shell
commands that shape the layout (useradd, groupadd, mkdir, chown, install -d, python -m venv,
apt-get install of packages whose files it knows). A RUN command it does not know is an error,
never skipped: a Dockerfile change this reader cannot follow fails the test instead of passing
it unread. Docker's rules followed: WORKDIR, COPY destinations and mkdir create missing parents
owned by root (COPY --chown owns only what it copies); `useradd --create-home` makes the home
owned by the new user; a named volume mounted on a path starts with that path's owner.
"""

from __future__ import annotations

import io
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from dockerfile_parse import DockerfileParser

ROOT_DIRS = ("/", "/bin", "/etc", "/home", "/opt", "/root", "/usr", "/usr/bin", "/usr/local", "/var", "/tmp")
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Files that Debian/Ubuntu packages install, for the packages our images use.
PACKAGE_FILES = {"tini": ("/usr/bin/tini",), "python3.11": ("/usr/bin/python3.11",), "python3.11-venv": ()}
# RUN commands that do not change ownership or add paths anything here checks.
NEUTRAL_COMMANDS = {"pip": "installs Python packages into site-packages", "rm": "removes caches"}


class UnknownInstruction(ValueError):
    """The reader cannot follow this line: teach it, do not skip it."""


@dataclass
class Entry:
    kind: str  # "dir" | "file"
    uid: int = 0
    gid: int = 0
    mode: int = 0o755


@dataclass
class Image:
    base: str = ""
    paths: dict[str, Entry] = field(default_factory=dict)
    users: dict[str, tuple[int, int]] = field(default_factory=lambda: {"root": (0, 0)})
    groups: dict[str, int] = field(default_factory=lambda: {"root": 0})
    homes: dict[int, str] = field(default_factory=lambda: {0: "/root"})
    env: dict[str, str] = field(default_factory=lambda: {"PATH": BASE_PATH})
    uid: int = 0
    gid: int = 0
    workdir: str = "/"
    volumes: list[str] = field(default_factory=list)
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    stopsignal: str = ""
    pip_installs: list[list[str]] = field(default_factory=list)
    apt_packages: list[str] = field(default_factory=list)

    def owner_of(self, path: str) -> tuple[int, int] | None:
        entry = self.paths.get(normal(path))
        return None if entry is None else (entry.uid, entry.gid)

    def nearest_existing(self, path: str) -> str:
        current = PurePosixPath(normal(path))
        while str(current) not in self.paths:
            current = current.parent
        return str(current)

    def writable_by(self, path: str, uid: int) -> bool:
        """Can `uid` create `path` (with parents, as `mkdir -p` / `Path.mkdir(parents=True)`)
        or write into it when it exists?"""
        entry = self.paths[self.nearest_existing(path)]
        return entry.kind == "dir" and (uid == 0 or entry.uid == uid or entry.mode & 0o002 != 0)


def normal(path: str) -> str:
    return str(PurePosixPath("/", path))


def expand(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: env.get(m.group(1) or m.group(2), ""), text)


def read(text: str) -> Image:
    image = Image()
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    for item in parser.structure:
        instruction, value = item["instruction"], item["value"]
        handler = INSTRUCTIONS.get(instruction)
        if handler is None:
            raise UnknownInstruction(f"line {item['startline'] + 1}: {instruction} {value}")
        handler(image, value)
    return image


def _from(image: Image, value: str) -> None:
    image.base = value.split()[0]
    for path in ROOT_DIRS:
        image.paths[path] = Entry("dir", mode=0o1777 if path == "/tmp" else 0o755)


def _env(image: Image, value: str) -> None:
    tokens = shlex.split(value)
    if tokens and "=" not in tokens[0]:  # legacy `ENV KEY value with spaces`
        image.env[tokens[0]] = expand(value.split(None, 1)[1], image.env)
        return
    for token in tokens:
        key, _, raw = token.partition("=")
        image.env[key] = expand(raw, image.env)


def _resolve(image: Image, path: str) -> str:
    path = expand(path, image.env)
    return normal(path if path.startswith("/") else f"{image.workdir}/{path}")


def _make_dirs(image: Image, path: str, uid: int = 0, gid: int = 0, mode: int = 0o755) -> None:
    """Create `path` and missing parents; the new leaf gets uid/gid, new parents root."""
    missing = []
    current = PurePosixPath(path)
    while str(current) not in image.paths:
        missing.append(str(current))
        current = current.parent
    for new in reversed(missing):
        leaf = new == path
        image.paths[new] = Entry("dir", uid if leaf else 0, gid if leaf else 0, mode)
    if image.paths[path].kind != "dir":
        raise UnknownInstruction(f"{path} exists and is not a directory")


def _workdir(image: Image, value: str) -> None:
    path = _resolve(image, value)
    if path not in image.paths and image.uid != 0:
        raise UnknownInstruction(f"WORKDIR {path} after USER: its owner differs between builders")
    _make_dirs(image, path)
    image.workdir = path


def _copy(image: Image, value: str) -> None:
    tokens = shlex.split(value)
    owner = next((t.split("=", 1)[1] for t in tokens if t.startswith("--chown=")), None)
    args = [t for t in tokens if not t.startswith("--")]
    *sources, dest = args
    uid, gid = _owner(image, owner) if owner else (0, 0)
    target = _resolve(image, dest)
    if dest.endswith("/") or len(sources) > 1:
        _make_dirs(image, target)
        for source in sources:
            name = PurePosixPath(source).name
            image.paths[f"{target.rstrip('/')}/{name}"] = Entry("file", uid, gid, 0o644)
    else:
        _make_dirs(image, str(PurePosixPath(target).parent))
        image.paths[target] = Entry("dir", uid, gid)  # our COPY sources are directories


def _owner(image: Image, spec: str) -> tuple[int, int]:
    user, _, group = spec.partition(":")
    if user.isdigit():
        uid = int(user)
        gid = next((g for u, g in image.users.values() if u == uid), uid)
    elif user in image.users:
        uid, gid = image.users[user]
    else:
        raise UnknownInstruction(f"unknown user {user!r}")
    if group:
        gid = int(group) if group.isdigit() else image.groups[group]
    return uid, gid


def _user(image: Image, value: str) -> None:
    image.uid, image.gid = _owner(image, value.strip())


def _volume(image: Image, value: str) -> None:
    paths = json.loads(value) if value.strip().startswith("[") else value.split()
    image.volumes.extend(_resolve(image, p) for p in paths)


def _exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    if not isinstance(parsed, list):
        raise UnknownInstruction(f"not an exec-form list: {value}")
    return [str(part) for part in parsed]


def _healthcheck(image: Image, value: str) -> None:
    _, _, command = value.partition("CMD")
    image.healthcheck = _exec_form(command.strip())


def _run(image: Image, value: str) -> None:
    if image.uid != 0:
        raise UnknownInstruction(f"RUN as uid {image.uid}: this reader plays RUN as root only")
    for command in re.split(r"\s*(?:&&|;)\s*", value.strip()):
        words = shlex.split(command)
        if words:
            RUN_COMMANDS.get(words[0], _unknown)(image, words)


def _unknown(image: Image, words: list[str]) -> None:
    if words[0] in NEUTRAL_COMMANDS:
        if words[0] == "pip" and words[1:2] == ["install"]:
            image.pip_installs.append(words[2:])
        return
    if words[0].startswith("python") and words[1:3] == ["-m", "venv"]:
        _make_dirs(image, _resolve(image, words[3]))
        return
    raise UnknownInstruction(f"RUN {' '.join(words)}")


def _apt_get(image: Image, words: list[str]) -> None:
    if words[1] == "update":
        return
    if words[1] != "install":
        raise UnknownInstruction(f"RUN {' '.join(words)}")
    for package in (w for w in words[2:] if not w.startswith("-")):
        if package not in PACKAGE_FILES:
            raise UnknownInstruction(f"apt package {package!r}: which files does it install?")
        image.apt_packages.append(package)
        for path in PACKAGE_FILES[package]:
            image.paths[path] = Entry("file", mode=0o755)


def _options(words: list[str], with_value: set[str]) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    rest: list[str] = []
    iterator = iter(words[1:])
    for word in iterator:
        if word in with_value:
            options[word] = next(iterator)
        elif word.startswith("-"):
            options[word] = ""
        else:
            rest.append(word)
    return options, rest


def _useradd(image: Image, words: list[str]) -> None:
    options, rest = _options(words, {"--uid", "-u", "--gid", "-g", "--home-dir", "-d", "--shell", "-s"})
    (name,) = rest
    uid = int(options.get("--uid") or options.get("-u") or 1000)
    if "--user-group" in options or "-U" in options:
        image.groups[name] = uid
        gid = uid
    else:
        group = options.get("--gid") or options.get("-g") or "100"
        gid = int(group) if group.isdigit() else image.groups[group]
    image.users[name] = (uid, gid)
    home = options.get("--home-dir") or options.get("-d") or f"/home/{name}"
    image.homes[uid] = home
    if "--create-home" in options or "-m" in options:
        _make_dirs(image, home, uid, gid, 0o700)


def _groupadd(image: Image, words: list[str]) -> None:
    options, rest = _options(words, {"--gid", "-g"})
    image.groups[rest[0]] = int(options.get("--gid") or options.get("-g") or 1000)


def _mkdir(image: Image, words: list[str]) -> None:
    options, paths = _options(words, {"-m"})
    for path in paths:
        target = _resolve(image, path)
        if "-p" not in options and str(PurePosixPath(target).parent) not in image.paths:
            raise UnknownInstruction(f"mkdir {target}: parent missing (no -p)")
        _make_dirs(image, target, image.uid, image.gid)


def _chown(image: Image, words: list[str]) -> None:
    options, rest = _options(words, set())
    spec, *paths = rest
    uid, gid = _owner(image, spec)
    for path in (_resolve(image, p) for p in paths):
        if path not in image.paths:
            raise UnknownInstruction(f"chown {path}: no such path")
        below = [p for p in image.paths if p == path or p.startswith(path.rstrip("/") + "/")]
        for each in below if "-R" in options else [path]:
            image.paths[each].uid, image.paths[each].gid = uid, gid


def _install(image: Image, words: list[str]) -> None:
    options, paths = _options(words, {"-o", "-g", "-m"})
    if "-d" not in options:
        raise UnknownInstruction(f"RUN {' '.join(words)}: only `install -d` is understood")
    uid, gid = _owner(image, options.get("-o", "root") + (":" + options["-g"] if "-g" in options else ""))
    for path in paths:
        _make_dirs(image, _resolve(image, path), uid, gid, int(options.get("-m", "755"), 8))


RUN_COMMANDS = {
    "apt-get": _apt_get,
    "useradd": _useradd,
    "groupadd": _groupadd,
    "mkdir": _mkdir,
    "chown": _chown,
    "install": _install,
}

INSTRUCTIONS = {
    "COMMENT": lambda image, value: None,
    "FROM": _from,
    "ENV": _env,
    "WORKDIR": _workdir,
    "COPY": _copy,
    "USER": _user,
    "VOLUME": _volume,
    "RUN": _run,
    "HEALTHCHECK": _healthcheck,
    "ENTRYPOINT": lambda image, value: setattr(image, "entrypoint", _exec_form(value)),
    "CMD": lambda image, value: setattr(image, "cmd", _exec_form(value)),
    "STOPSIGNAL": lambda image, value: setattr(image, "stopsignal", value.strip()),
    "EXPOSE": lambda image, value: None,
    "LABEL": lambda image, value: None,
}
