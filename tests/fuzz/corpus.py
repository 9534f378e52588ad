"""The malformed-input corpus (tests/fuzz/shapes.py), addressed to every route of the hub.

- Signed JSON webhooks (REST, Slack events, Discord, Telegram, the six helpdesks, a generic
  Standard Webhooks hook; tests/fuzz/routes.py): must-reject files and odd bodies, each string
  field of a valid payload × each naughty string, each field × each wrong JSON type, raw invalid
  UTF-8 / NUL / surrogates spliced into each string, one field nested deeply, wrong content types
  and an oversize body, every request with a valid signature for its bytes.
- Form posts (Slack slash commands; the admin dashboard's login, logout and actions with a live
  session and its CSRF token): each field × each naughty string, non-UTF-8 percent escapes,
  odd and multipart bodies.
- GET routes (health, metrics, web chat page and files, Slack install and OAuth, the dashboard's
  pages and files): naughty query strings, names and cookies; wrong methods on every route.
- The web chat socket: must-reject and naughty frames, wrong types in each frame field, deep and
  oversize frames, binary frames, hostile Origins."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from tests.fuzz import routes
from tests.fuzz.routes import JsonRoute, slack_headers
from tests.fuzz.shapes import (
    MARK,
    NON_UTF8_QUERY,
    ODD_BODIES,
    UNICODE_DIGITS,
    WRONG_CONTENT_TYPES,
    WRONG_TYPES,
    field_mutations,
    must_reject_files,
    naughty_lines,
    naughty_strings,
    replaced,
    sample,
    splice,
    splices,
    spread,
)

SIGNING_SECRET = routes.SIGNING_SECRET
TOKEN_KEY = base64.b64encode(bytes(range(32))).decode()
ADMIN_ACTIONS = ("mute", "unmute", "skills", "model", "nonsense")
GET_ROUTES = (
    "/",
    "/favicon.ico",
    "/healthz",
    "/readyz",
    "/metrics",
    "/slack/install",
    "/slack/oauth_redirect",
    "/admin",
    "/admin/",
    "/admin/login",
    "/admin/panels",
)
MULTIPART_BODIES = [
    b'--x\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc\r\n',  # no closing boundary
    b"--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n",  # no name
    b"--x\r\n\r\n\r\n--x--\r\n",
    b"--x--\r\n",
    b"garbage without a boundary",
    b'--x\r\nContent-Disposition: form-data; name="csrf"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n\xff\xfe\r\n--x--\r\n",
    b'--x\r\nContent-Disposition: form-data; name="\xff"\r\n\r\n\xc3\x28\r\n--x--\r\n',
    b"--x\r\nContent-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: form-data; name="t"\r\n\r\n!!\r\n--x--',
]


@dataclass
class Case:
    """One HTTP request (or, with `frames`, one WebSocket session)."""

    label: str
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    frames: list[str | bytes] | None = None


@dataclass(frozen=True)
class Context:
    """What some cases need from the running hub: Slack's response_url sink, and a logged-in
    dashboard session (its cookie and CSRF token) so actions reach the parser behind the checks."""

    response_url: str = "http://127.0.0.1:9/"
    admin_cookie: str = ""
    admin_csrf: str = ""


# -- signed JSON webhooks ------------------------------------------------------------------------
def signed(route: JsonRoute, body: bytes, label: str, content_type: str | None = None) -> Case:
    headers = route.sign(body)
    if content_type is not None:
        headers["Content-Type"] = content_type
    return Case(f"{route.path} {label}", "POST", route.path, body, headers)


def json_route_cases(route: JsonRoute, full: bool) -> Iterator[Case]:
    for name, raw in sample(must_reject_files(), full):
        yield signed(route, raw, f"body {name}")
    for n, raw in enumerate(ODD_BODIES):
        yield signed(route, raw, f"odd body {n}")
    for number, valid in enumerate(route.payloads):

        def body_of(data: Any) -> bytes:
            data = json.loads(json.dumps(data))
            if isinstance(data, dict):
                route.refresh(data)
            return json.dumps(data).encode()

        yield signed(route, body_of(valid), f"payload {number} as it is")
        if number and not full:  # the sample mutates each route's first payload only
            continue
        # Naughty strings go into each string field of the first payload (the others: wrong types,
        # splices, nesting), which keeps the full run near 120k requests.
        for label, path, value in field_mutations(valid, full, naughty=number == 0):
            yield signed(route, body_of(replaced(valid, path, value)), f"payload {number} {label}")
        for label, path, insert in splices(valid, full):
            body = splice(body_of(replaced(valid, path, MARK)), insert)
            yield signed(route, body, f"payload {number} {label}")
        for content_type in WRONG_CONTENT_TYPES:
            yield signed(route, body_of(valid), f"payload {number} as {content_type!r}", content_type)
    padded = json.dumps({**route.payloads[0], "padding": "x" * (route.max_body + 1)}).encode()
    yield signed(route, padded, "oversize body")
    yield Case(f"{route.path} GET", "GET", route.path)


# -- form posts ------------------------------------------------------------------------------------
def form_field_cases(
    path: str, form: dict[str, str], headers: dict[str, str], full: bool, sign: Any = None
) -> Iterator[Case]:
    """Each field × each naughty string (rotating in the sample), non-UTF-8 escapes in each
    field, odd and multipart bodies; `sign(body, content_type)` adds the route's own headers."""

    def case(body: bytes, label: str, content_type: str = "application/x-www-form-urlencoded") -> Case:
        extra = sign(body, content_type) if sign else {"Content-Type": content_type}
        return Case(f"{path} {label}", "POST", path, body, {**headers, **extra})

    strings = naughty_strings()
    keys = list(form)
    for index, values in spread(strings, len(keys), full):
        for value in values:
            body = urlencode({**form, keys[index]: value}).encode()
            yield case(body, f"{keys[index]} = naughty {strings.index(value)}")
    for index, escapes in spread(NON_UTF8_QUERY, len(keys), full):
        for escape in escapes:
            body = urlencode({k: v for k, v in form.items() if k != keys[index]}) + f"&{keys[index]}={escape}"
            yield case(body.encode(), f"{keys[index]} = {escape}")
    yield case(b"%ff=1&" + urlencode(form).encode(), "non-UTF-8 key")
    for n, raw in enumerate(ODD_BODIES):
        yield case(raw, f"odd body {n}")
    for n, raw in enumerate(MULTIPART_BODIES):
        yield case(raw, f"multipart {n}", "multipart/form-data; boundary=x")
    for content_type in WRONG_CONTENT_TYPES:
        yield case(urlencode(form).encode(), f"as {content_type!r}", content_type)
    yield case(b"a=" + b"x" * 1_100_000, "oversize body")


def slack_command_cases(context: Context, full: bool) -> Iterator[Case]:
    def sign(body: bytes, content_type: str) -> dict[str, str]:
        return slack_headers(body, content_type=content_type)

    yield from form_field_cases("/slack/commands", _command(context.response_url), {}, full, sign)


def admin_cases(context: Context, full: bool) -> Iterator[Case]:
    session = {
        "Cookie": context.admin_cookie,
        "X-CSRF-Token": context.admin_csrf,
        "Accept": "application/json",
    }
    forms = {
        "mute": {"conversation": "slack:T1:C1:-"},
        "unmute": {"conversation": "slack:T1:C1:-"},
        "skills": {"state": "disable", "skill": "about", "conversation": "slack:T1:C1:-"},
        "model": {"model": "auto"},
        "nonsense": {"x": "y"},
    }
    for action in ADMIN_ACTIONS:
        yield from form_field_cases(f"/admin/actions/{action}", forms[action], session, full)
    yield from form_field_cases("/admin/login", {"token": "not-the-token"}, {}, full)
    # Logout with a wrong CSRF token (it must not end the session the other cases use).
    yield from form_field_cases("/admin/logout", {"csrf": "wrong"}, {"Cookie": context.admin_cookie}, full)
    for n, value in enumerate(sample(naughty_strings(), full)):
        yield Case(f"admin action name {n}", "POST", "/admin/actions/" + quote(value, safe=""), b"", session)


# -- GET routes, paths, cookies, methods -----------------------------------------------------------
def get_cases(context: Context, full: bool) -> Iterator[Case]:
    strings = sample(naughty_strings(), full)
    for n, value in enumerate(strings):
        query = urlencode({"code": value, "state": value, "session": value, "q": value})
        cookie = _cookie(value)
        for path in GET_ROUTES:
            yield Case(f"GET {path} naughty {n}", "GET", f"{path}?{query}", headers={"Cookie": cookie})
        yield Case(f"static naughty {n}", "GET", "/static/" + quote(value, safe=""))
        yield Case(f"admin static naughty {n}", "GET", "/admin/static/" + quote(value, safe=""))
        yield Case(f"hook name naughty {n}", "POST", "/hooks/" + quote(value, safe=""), b"{}")
        yield Case(f"admin cookie naughty {n}", "GET", "/admin/panels", headers={"Cookie": _admin(value)})
    for escape in NON_UTF8_QUERY:
        for path in GET_ROUTES:
            query = f"code={escape}&state={escape}&session={escape}&{escape}={escape}"
            yield Case(f"GET {path} {escape}", "GET", f"{path}?{query}", headers={"Cookie": f"x={escape}"})
        yield Case(f"ws session {escape}", "GET", f"/ws?session={escape}")
        yield Case(f"admin static {escape}", "GET", f"/admin/static/{escape}")
    for name in ("admin.css", "admin.js", "favicon.svg"):
        yield Case(f"admin static {name}", "GET", f"/admin/static/{name}")
    yield Case("admin page with session", "GET", "/admin", headers={"Cookie": context.admin_cookie})
    yield Case("admin panels with session", "GET", "/admin/panels", headers={"Cookie": context.admin_cookie})
    yield Case(
        "oauth non-ascii cookie",
        "GET",
        "/slack/oauth_redirect?code=c&state=%C3%A9t%C3%A9",
        headers={"Cookie": "slack_oauth_state=été"},
    )
    yield Case("static long name", "GET", "/static/" + "a" * 5000)
    yield Case("admin static long name", "GET", "/admin/static/" + "a" * 5000)
    yield Case("static traversal", "GET", "/static/..%2f..%2fpyproject.toml")
    yield Case("admin static traversal", "GET", "/admin/static/..%2f..%2fapp.py")
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for path in (*GET_ROUTES, "/ws", "/static/app.js", "/admin/static/admin.css"):
            yield Case(f"{method} {path}", method, path, b'{"a": 1}', {"Content-Type": "application/json"})
    for path in _post_paths():
        yield Case(f"DELETE {path}", "DELETE", path)
    yield Case("unknown path", "GET", "/nowhere/" + "%ff" * 10)


def _post_paths() -> list[str]:
    paths = [r.path for r in routes.json_routes()]
    return [*paths, "/slack/commands", "/admin/login", "/admin/logout", "/admin/actions/mute"]


# -- the web chat socket -------------------------------------------------------------------------
def ws(frames: list[str | bytes], label: str, origin: str | None = None) -> Case:
    return Case(label, "WS", "/ws", headers={"Origin": origin} if origin else {}, frames=frames)


def ws_cases(full: bool) -> Iterator[Case]:
    files = sample(must_reject_files(), full)
    strings = sample(naughty_strings(), full)
    yield ws([raw.decode("utf-8", "replace") for _, raw in files], "ws must-reject frames")
    yield ws([raw.decode("utf-8", "replace") for raw in ODD_BODIES[3:]], "ws odd frames")
    yield ws(["[" * 30_000 + "]" * 30_000, "x" * 70_000], "ws deep and oversize frames")
    yield ws([b"\x00\xff binary"], "ws binary frame")
    yield ws(
        [json.dumps({"type": "message", "id": str(n), "text": s}) for n, s in enumerate(strings)], "ws text"
    )
    frame = {"type": "message", "text": "hello"}
    wrong = [  # each frame its own id (the same id twice is a redelivery, rightly not answered)
        json.dumps({"id": f"w{n}", **frame, key: value})
        for n, (key, value) in enumerate((k, v) for k in ("type", "id", "text", "extra") for v in WRONG_TYPES)
    ]
    yield ws(wrong if full else wrong[::3], "ws wrong types")
    for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example"):
        yield Case(f"ws origin {origin}", "GET", "/ws", headers=_upgrade(origin))


# -- Slack specials --------------------------------------------------------------------------------
def slack_special_cases(context: Context, full: bool) -> Iterator[Case]:
    message = json.dumps(_slack_message({"text": "hi"})).encode()
    form = urlencode(_command(context.response_url, text="status")).encode()
    for digits in UNICODE_DIGITS:
        headers = slack_headers(message, stamp=digits)
        yield Case("slack unicode ts", "POST", "/slack/events", message, headers)
        headers = slack_headers(form, stamp=digits, content_type="application/x-www-form-urlencoded")
        yield Case("slack command unicode ts", "POST", "/slack/commands", form, headers)
    for escape in NON_UTF8_QUERY:
        path = f"/slack/oauth_redirect?code={escape}&state={escape}"
        yield Case(f"oauth {escape}", "GET", path, headers={"Cookie": f"slack_oauth_state={escape}"})
    for n, line in enumerate(sample(naughty_lines(), full)):  # raw .txt lines, unescaped, in JSON
        body = b'{"conversation_id": "fuzz", "user_id": "u", "text": "' + line + b'"}'
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {routes.TOKEN}"}
        yield Case(f"rest raw line {n}", "POST", "/api/v1/messages", body, headers)
    for path in _post_paths():  # unsigned, with a wrong content type: refused, never a 500
        yield Case(f"{path} unsigned", "POST", path, b'{"a": 1}', {"Content-Type": "text/plain"})


def cases(full: bool, context: Context | None = None) -> Iterator[Case]:
    context = context or Context()
    for route in routes.json_routes():
        yield from json_route_cases(route, full)
    yield from slack_command_cases(context, full)
    yield from admin_cases(context, full)
    yield from get_cases(context, full)
    yield from ws_cases(full)
    yield from slack_special_cases(context, full)


def _slack_message(event: dict[str, Any]) -> dict[str, Any]:
    base_event = {"type": "message", "channel": "D024BE91L", "channel_type": "im", "user": "U1", "ts": "1.1"}
    return {
        "type": "event_callback",
        "team_id": "T1",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event": {**base_event, **event},
    }


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
    quoted = quote(value, safe="")
    return f"slack_oauth_state={quoted}; sb_admin={quoted}"


def _admin(value: str) -> str:
    return "sb_admin=" + quote(value, safe="")


def _upgrade(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(b"0123456789abcdef").decode(),
    }
