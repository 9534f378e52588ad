"""The malformed-input corpus, turned into requests for every route of the hub.

Sources: JSONTestSuite's must-reject files and the Big List of Naughty Strings (tests/corpora/),
plus hand-made shapes (wrong JSON types, deep nesting, invalid UTF-8, NUL bytes, lone surrogates,
Unicode digits in timestamps). `sample(items, full)` keeps every n-th item for `make test`.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from adapters.slack.verify import signature
from tests.discord.conftest import signed_headers as discord_signed
from tests.helpdesk.signing import signed
from tests.test_embedded_run import TOKEN

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
DISCORD_ASK = json.loads((CORPORA.parent / "payloads" / "discord" / "interaction_ask.json").read_text())
ZENDESK_REPLY = json.loads((CORPORA.parent / "payloads" / "zendesk" / "customer_replied.json").read_text())
SIGNING_SECRET = "fuzz-signing-secret-5e1d0c"
TOKEN_KEY = base64.b64encode(bytes(range(32))).decode()
SAMPLE_EVERY = 20
T = TypeVar("T")


@dataclass
class Case:
    """One HTTP request (or, with `frames`, one WebSocket session)."""

    label: str
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[str | bytes] | None = None


def must_reject_files() -> list[tuple[str, bytes]]:
    folder = CORPORA / "jsontestsuite" / "n"
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("n_*.json"))]


def naughty_strings() -> list[str]:
    strings = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    return [s for s in strings if isinstance(s, str)]


def naughty_lines() -> list[bytes]:
    """blns.txt as raw lines: the same strings, plus the comment lines, as bytes."""
    return [line for line in (CORPORA / "blns" / "blns.txt").read_bytes().splitlines() if line]


def sample(items: Sequence[T], full: bool) -> list[T]:
    return list(items) if full else list(items[::SAMPLE_EVERY])


# -- hand-made shapes ------------------------------------------------------------------------
DEEP = [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, b"[" * 100_000]
ODD_BODIES = [
    *DEEP,
    b"\xff\xfe\xfd",  # invalid UTF-8
    b'{"text": "\xc3\x28"}',  # invalid UTF-8 inside a string
    b'{"text": "a\x00b"}',  # a raw NUL byte
    b'{"text": "\\u0000"}',
    b'{"text": "\\ud800"}',  # a lone surrogate
    b'{"text": "\\udfff\\ud800"}',
    b"\x00" * 64,
    b"",
    b"null",
    b"[]",
    b'"a string"',
    b"1e999999",
]
WRONG_TYPES: list[Any] = [[], {}, 1, 1.5, True, None, ["message"], {"type": "message"}]
UNICODE_DIGITS = [
    "\u00b2" * 10,
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660",
    "１２３４５６７８９０",
]
NON_UTF8_QUERY = ["%ff", "%c3%28", "%ed%a0%80", "%f8%88%80%80%80", "%00", "%e2%82", "%fe%ff", "%c0%af"]


def slack_headers(body: bytes, stamp: str | None = None, content_type: str = "application/json") -> dict:
    stamp = stamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": _sign(stamp, body),
    }


def _sign(stamp: str, body: bytes) -> str:
    """Slack's v0 signature; over UTF-8 bytes, so Unicode-digit timestamps are signed too."""
    if stamp.isascii():
        return signature(SIGNING_SECRET, stamp, body)
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _message(event: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    base_event = {"type": "message", "channel": "D024BE91L", "channel_type": "im", "user": "U1", "ts": "1.1"}
    return {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event": {**base_event, **event},
        **envelope,
    }


def slack_event(envelope: Any, label: str) -> Case:
    body = json.dumps(envelope).encode() if not isinstance(envelope, bytes) else envelope
    return Case(label, "POST", "/slack/events", body, slack_headers(body))


def slack_command(form: dict[str, str], label: str) -> Case:
    body = urlencode(form).encode()
    return Case(
        label,
        "POST",
        "/slack/commands",
        body,
        slack_headers(body, content_type="application/x-www-form-urlencoded"),
    )


def rest(body: bytes | dict[str, Any], label: str, content_type: str = "application/json") -> Case:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"}
    return Case(label, "POST", "/api/v1/messages", raw, headers)


def zendesk(body: bytes | dict[str, Any], label: str, content_type: str = "application/json") -> Case:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    headers = {"Content-Type": content_type, **signed("zendesk", raw, f"fz-{time.monotonic_ns()}")}
    return Case(label, "POST", "/hooks/zendesk", raw, headers)


def discord(body: bytes | dict[str, Any], label: str) -> Case:
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    return Case(label, "POST", "/discord/interactions", raw, discord_signed(raw))


def _ask(question: Any = "hello", **fields: Any) -> dict[str, Any]:
    data = copy.deepcopy(DISCORD_ASK)
    data["id"] = str(time.monotonic_ns())
    data["data"]["options"][0]["value"] = question
    data.update(fields)
    return data


def _ticket(comment: Any = "hello", **detail: Any) -> dict[str, Any]:
    data = copy.deepcopy(ZENDESK_REPLY)
    data["event"]["comment"]["body"] = comment
    data["detail"].update(detail)
    return data


def ws(frames: list[str | bytes], label: str, origin: str | None = None) -> Case:
    return Case(label, "WS", "/ws", headers={"Origin": origin} if origin else {}, frames=frames)


def cases(full: bool, response_url: str) -> Iterator[Case]:
    files = sample(must_reject_files(), full)
    strings = sample(naughty_strings(), full)
    lines = sample(naughty_lines(), full)
    for name, raw in files:  # must-reject JSON as bodies and frames, on every JSON route
        yield rest(raw, f"rest body {name}")
        yield slack_event(raw, f"slack body {name}")
        yield zendesk(raw, f"zendesk body {name}")
        yield discord(raw, f"discord body {name}")
        yield Case(f"static {name}", "GET", "/static/" + quote(name))
    yield ws([raw.decode("utf-8", "replace") for _, raw in files], "ws must-reject frames")
    for n, raw in enumerate(ODD_BODIES):
        yield rest(raw, f"rest odd body {n}")
        yield slack_event(raw, f"slack odd body {n}")
        yield zendesk(raw, f"zendesk odd body {n}")
        yield discord(raw, f"discord odd body {n}")
        yield rest(raw, f"rest odd body {n} as text/plain", content_type="text/plain")
    yield ws([raw.decode("utf-8", "replace") for raw in ODD_BODIES[3:]], "ws odd frames")
    yield ws(["[" * 30_000 + "]" * 30_000, "x" * 70_000], "ws deep and oversize frames")
    yield ws([b"\x00\xff binary"], "ws binary frame")
    for n, value in enumerate(strings):  # naughty strings as message text and as every string field
        yield rest({"conversation_id": "fuzz", "user_id": "u", "text": value}, f"rest text {n}")
        yield rest(
            {"conversation_id": value, "user_id": value, "text": "hi", "message_id": value}, f"rest ids {n}"
        )
        yield slack_event(_message({"text": value}), f"slack text {n}")
        yield zendesk(_ticket(value), f"zendesk comment {n}")
        yield discord(_ask(value), f"discord question {n}")
        yield discord(_ask(channel_id=value, guild_id=value, token=value), f"discord ids {n}")
        yield zendesk(_ticket(id=value, subject=value, status=value), f"zendesk ids {n}")
        yield slack_event(_message({"user": value, "channel": value, "ts": value}), f"slack ids {n}")
        yield slack_event(_message({"type": value, "subtype": value}, team_id=value), f"slack type {n}")
        yield slack_command(_command(response_url, text=value), f"slack command text {n}")
        yield slack_command(
            _command(response_url, user_id=value, channel_id=value, command=value), f"slack command ids {n}"
        )
        query = urlencode({"code": value, "state": value})
        yield Case(
            f"oauth query {n}", "GET", f"/slack/oauth_redirect?{query}", headers={"Cookie": _cookie(value)}
        )
        yield Case(f"static naughty {n}", "GET", "/static/" + quote(value, safe=""))
    yield ws(
        [json.dumps({"type": "message", "id": str(n), "text": s}) for n, s in enumerate(strings)], "ws text"
    )
    for n, line in enumerate(lines):  # the .txt lines as raw bytes: not always valid JSON strings
        yield rest(
            b'{"conversation_id": "fuzz", "user_id": "u", "text": "' + line + b'"}', f"rest raw line {n}"
        )
    for wrong in WRONG_TYPES:  # wrong JSON types in every field Slack's adapter reads
        for key in (
            "type",
            "subtype",
            "user",
            "bot_id",
            "channel",
            "channel_type",
            "ts",
            "thread_ts",
            "text",
            "files",
            "team",
        ):
            yield slack_event(_message({key: wrong}), f"slack event.{key} = {wrong!r}")
        for key in ("type", "event_id", "team_id", "event"):
            yield slack_event({**_message({}), key: wrong}, f"slack envelope.{key} = {wrong!r}")
        yield zendesk(_ticket(wrong), f"zendesk comment = {wrong!r}")
        yield zendesk(_ticket(id=wrong, requester_id=wrong, status=wrong), f"zendesk ids = {wrong!r}")
        yield zendesk({**_ticket(), "event": wrong}, f"zendesk event = {wrong!r}")
        for key in ("type", "data", "id", "channel_id", "member", "token"):
            yield discord(_ask(**{key: wrong}), f"discord {key} = {wrong!r}")
        yield discord(_ask(wrong), f"discord question = {wrong!r}")
        for key in ("conversation_id", "user_id", "text", "message_id"):
            body = {"conversation_id": "c", "user_id": "u", "text": "hi", key: wrong}
            yield rest(body, f"rest {key} = {wrong!r}")
    for digits in UNICODE_DIGITS:
        body = json.dumps(_message({"text": "hi"})).encode()
        yield Case("slack unicode ts", "POST", "/slack/events", body, slack_headers(body, stamp=digits))
        form = urlencode(_command(response_url, text="status")).encode()
        headers = slack_headers(form, stamp=digits, content_type="application/x-www-form-urlencoded")
        yield Case("slack command unicode ts", "POST", "/slack/commands", form, headers)
    for escape in NON_UTF8_QUERY:
        path = f"/slack/oauth_redirect?code={escape}&state={escape}"
        yield Case(f"oauth {escape}", "GET", path, headers={"Cookie": f"slack_oauth_state={escape}"})
        yield Case(f"ws session {escape}", "GET", f"/ws?session={escape}")
    yield Case(
        "oauth non-ascii cookie",
        "GET",
        "/slack/oauth_redirect?code=c&state=%C3%A9t%C3%A9",
        headers={"Cookie": "slack_oauth_state=été"},
    )
    yield Case("static long name", "GET", "/static/" + "a" * 5000)
    yield Case("static traversal", "GET", "/static/..%2f..%2fpyproject.toml")
    for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example"):
        yield Case(f"ws origin {origin}", "GET", "/ws", headers=_upgrade(origin))
    for path in (
        "/api/v1/messages",
        "/slack/events",
        "/slack/commands",
        "/hooks/zendesk",
        "/discord/interactions",
    ):
        for content_type in (
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin-1",
            "\x00",
        ):
            yield Case(
                f"{path} as {content_type!r}", "POST", path, b'{"a": 1}', {"Content-Type": content_type}
            )


def _command(response_url: str, **fields: str) -> dict[str, str]:
    base = {
        "command": "/switchboard",
        "text": "help",
        "team_id": "T1",
        "channel_id": "D1",
        "user_id": "U1",
        "trigger_id": f"t{time.monotonic_ns()}",
        "response_url": response_url,
    }
    return {**base, **fields}


def _cookie(value: str) -> str:
    return "slack_oauth_state=" + quote(value, safe="")


def _upgrade(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode(),
    }
