"""The dashboard's HTML, rendered on the server. Every value goes through `esc` (or is built
from escaped parts as `Safe`): names, ids and statuses from Redis, adapters or workers are
data, never markup."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

from core.adminweb.actions import ACTOR
from core.adminweb.overview import Overview

STATIC = "/admin/static"


class Safe(str):
    """Markup built here from escaped parts."""


def esc(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable[Any]) -> Safe:
    return Safe("".join(esc(p) for p in parts))


def when(at: float, *, date: bool = False) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S" if date else "%H:%M:%S", time.gmtime(at)) + " UTC"


def ago(seconds: float | int | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def flat(value: Any) -> str:
    """A status value (dict, list, scalar) on one line."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={flat(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(flat(v) for v in value) or "—"
    return str(value)


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]], *, empty: str, cls: str = "") -> Safe:
    head = join(Safe(f"<th>{esc(h)}</th>") for h in headers)
    body = join(Safe("<tr>" + join(Safe(f"<td>{esc(c)}</td>") for c in row) + "</tr>") for row in rows)
    if not body:
        return Safe(f'<p class="empty">{esc(empty)}</p>')
    return Safe(f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def csrf_input(csrf: str) -> Safe:
    return Safe(f'<input type="hidden" name="csrf" value="{esc(csrf)}">')


def button_form(action: str, csrf: str, label: str, fields: dict[str, str], *, cls: str = "") -> Safe:
    """One button that runs one admin action (`fields` are its hidden inputs)."""
    hidden = join(Safe(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">') for k, v in fields.items())
    return Safe(
        f'<form class="inline" method="post" action="/admin/actions/{esc(action)}" data-action>'
        f'{csrf_input(csrf)}{hidden}<button type="submit" class="{esc(cls)}">{esc(label)}</button></form>'
    )


def card(title: str, body: Any, *, id_: str) -> Safe:
    return Safe(f'<section class="card" id="{esc(id_)}"><h2>{esc(title)}</h2>{esc(body)}</section>')


def _hub(view: Overview) -> Safe:
    adapters = table(
        ["adapter", "status"],
        ([name, flat(status)] for name, status in view.adapters.items()),
        empty="No adapters run in this hub.",
    )
    checks = table(
        ["check", "ready", "detail"],
        ([name, "yes" if ok else "NO", flat(detail)] for name, ok, detail in view.checks),
        empty="No readiness checks.",
    )
    facts = f"Up {ago(view.uptime_s)}, {view.in_flight} turn(s) in flight."
    return card("Hub and adapters", join([Safe(f"<p>{esc(facts)}</p>"), adapters, checks]), id_="hub")


def _redis(view: Overview) -> Safe:
    facts = view.redis
    if not facts.get("ok"):
        return card(
            "Redis", Safe(f'<p class="bad">{esc(facts.get("error", "unreachable"))}</p>'), id_="redis"
        )
    rows = [[k.replace("_", " "), v] for k, v in facts.items() if k != "ok"]
    return card("Redis", table(["", ""], rows, empty="", cls="facts"), id_="redis")


def _queued(queued: Any, lanes: dict[str, int]) -> str:
    """`5 (urgent 2, high 1)`: the queue's depth, and how much of it is in the faster lanes."""
    extra = ", ".join(f"{lane} {count}" for lane, count in lanes.items())
    return f"{queued} ({extra})" if extra else str(queued)


def _models(view: Overview, csrf: str) -> Safe:
    if not view.models:
        return card(
            "Models and queues",
            Safe("<p>This bot has no model configured (commands only).</p>"),
            id_="models",
        )
    rows = []
    for m in view.models:
        using = m.name == view.model_in_use
        label = "in use" if using else f"Use {m.name}"
        rows.append(
            [
                m.name,
                m.backend,
                m.weight,
                m.workers,
                _queued(m.queued, m.queued_by_lane),
                m.running,
                m.failed,
                ago(m.oldest_wait_s) if m.oldest_wait_s is not None else "—",
                f"{m.first_token_ms:.0f} ms" if m.first_token_ms is not None else "—",
                button_form("model", csrf, label, {"model": m.name}, cls="current" if using else ""),
            ]
        )
    headers = ["model", "backend", "weight", "workers", "queued", "running", "failed", "oldest job"]
    choice = f"Model in use: {view.model_in_use or 'automatic (by weight and latency)'}"
    auto = "" if view.model_in_use is None else button_form("model", csrf, "Automatic", {"model": "auto"})
    body = join(
        [
            Safe(f'<div id="model-in-use" class="choice">{esc(choice)} {esc(auto)}</div>'),
            table([*headers, "first token", ""], rows, empty=""),
        ]
    )
    return card("Models and queues", body, id_="models")


def _workers(view: Overview) -> Safe:
    now = time.time()
    rows = []
    for w in view.workers:
        started = float(w.get("started") or now)
        rows.append(
            [
                w.get("name", "?"),
                w.get("model", "?"),
                w.get("device", "?"),
                w.get("backend", "?"),
                w.get("tokens_per_s", "—"),
                w.get("jobs_done", "0"),
                ago(now - started),
            ]
        )
    table_ = table(
        ["worker", "model", "device", "backend", "tokens/s (last job)", "jobs", "up"],
        rows,
        empty="No live worker. Start one: switchboard worker --bot <bot> (SWITCHBOARD_REDIS_URL set).",
    )
    return card("Live workers", table_, id_="workers")


def _turns(view: Overview, csrf: str) -> Safe:
    counts = join(
        Safe(f'<span class="badge" data-outcome="{esc(k)}">{esc(k)} {esc(v)}</span>')
        for k, v in view.turns_by_outcome.items()
    )
    rows = [
        [
            when(t.at),
            t.platform,
            t.conversation,
            str(t.outcome),
            t.skill or "—",
            f"{t.latency_ms:.0f} ms",
            button_form("mute", csrf, "Mute", {"conversation": t.conversation}, cls="small")
            if t.platform != ACTOR
            else "",
        ]
        for t in view.turns
    ]
    summary = f"The last {view.turns_counted} turn(s) of this hub replica, by outcome:"
    body = join(
        [
            Safe(f'<p>{esc(summary)} <span id="outcomes">{counts}</span></p>'),
            table(
                ["time", "platform", "conversation", "outcome", "skill", "took", ""],
                rows,
                empty="No turns yet.",
            ),
        ]
    )
    return card("Recent turns", body, id_="turns")


def _muted(view: Overview, csrf: str) -> Safe:
    rows = [
        [key, button_form("unmute", csrf, "Unmute", {"conversation": key}, cls="small")] for key in view.muted
    ]
    return card(
        "Muted conversations",
        table(["conversation", ""], rows, empty="No conversation is muted."),
        id_="muted",
    )


def _audit(view: Overview) -> Safe:
    rows = [
        [
            when(e.at, date=True),
            e.user,
            f"{e.command} {e.args}".strip(),
            "allowed" if e.allowed else "REFUSED",
            e.result,
            e.conversation,
        ]
        for e in view.audit
    ]
    headers = ["time", "who", "command", "verdict", "result", "conversation"]
    return card("Audit", table(headers, rows, empty="The audit log is empty.", cls="audit"), id_="audit")


def panels(view: Overview, csrf: str) -> Safe:
    """The part of the page the script refreshes."""
    return join(
        [
            _hub(view),
            _redis(view),
            _models(view, csrf),
            _workers(view),
            _turns(view, csrf),
            _muted(view, csrf),
            _audit(view),
        ]
    )


def _action_forms(view: Overview, csrf: str) -> Safe:
    options = join(Safe(f'<option value="{esc(name)}">{esc(name)}</option>') for name, _ in view.skills)
    known = dict.fromkeys([*(t.conversation for t in view.turns if t.platform != ACTOR), *view.muted])
    choices = join(Safe(f'<option value="{esc(k)}">') for k in known)
    key = (
        '<input name="conversation" required maxlength="300" list="conversations" placeholder='
        '"conversation key, e.g. slack:T024:C0123:-" aria-label="Conversation key">'
    )
    mute = Safe(
        f'<form method="post" action="/admin/actions/mute" data-action id="mute-form">{csrf_input(csrf)}'
        f'{key}<button type="submit">Mute</button>'
        '<button type="submit" formaction="/admin/actions/unmute">Unmute</button></form>'
    )
    skills = Safe(
        f'<form method="post" action="/admin/actions/skills" data-action id="skills-form">{csrf_input(csrf)}'
        f'{key}<select name="skill" aria-label="Skill">{options}</select>'
        '<button type="submit" name="state" value="disable">Disable</button>'
        '<button type="submit" name="state" value="enable">Enable</button></form>'
    )
    note = "Each action runs the chat's admin command and is audited as admin-web."
    datalist = Safe(f'<datalist id="conversations">{choices}</datalist>')
    return card(
        "Admin actions",
        join([Safe(f'<p class="empty">{esc(note)}</p>'), mute, skills, datalist]),
        id_="actions",
    )


def _document(title: str, body: Safe, *, csrf: str = "") -> str:
    meta = f'<meta name="csrf-token" content="{esc(csrf)}">' if csrf else ""
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{meta}\n"
        f'<link rel="icon" href="{STATIC}/favicon.svg" type="image/svg+xml">\n'
        f'<link rel="stylesheet" href="{STATIC}/admin.css">\n</head>\n<body>\n{body}\n'
        f'<script src="{STATIC}/admin.js"></script>\n</body>\n</html>\n'
    )


def dashboard(view: Overview, csrf: str, *, notice: str = "", notice_ok: bool = True) -> str:
    logout = (
        f'<form method="post" action="/admin/logout" class="inline">{csrf_input(csrf)}'
        '<button id="logout" type="submit">Log out</button></form>'
    )
    state = "ok" if notice_ok else "bad"
    hidden = "" if notice else " hidden"
    body = Safe(
        '<main class="admin">\n'
        f'<header><h1>{esc(view.bot)} · admin</h1><span class="status" data-state="online">'
        f"live</span>{logout}</header>\n"
        f'<div id="notice" class="notice" data-state="{state}" role="status"{hidden}>{esc(notice)}</div>\n'
        f'<div id="panels">{panels(view, csrf)}</div>\n{_action_forms(view, csrf)}\n</main>'
    )
    return _document(f"Admin · {view.bot}", body, csrf=csrf)


def login(bot: str, *, error: str = "") -> str:
    problem = f'<p id="login-error" class="error" role="alert">{esc(error)}</p>' if error else ""
    body = Safe(
        '<main class="login card">\n'
        f"<h1>{esc(bot)} · admin</h1>\n{problem}"
        '<form method="post" action="/admin/login" id="login-form">'
        '<label for="token">Admin token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" required '
        'maxlength="512" autofocus>'
        '<button type="submit">Log in</button></form>\n'
        '<p class="empty">The token is SWITCHBOARD_ADMIN_TOKEN of this hub.</p>\n</main>'
    )
    return _document(f"Log in · {bot}", body)
