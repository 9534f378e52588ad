"""The pieces other modules give the admin dashboard: recent turns (no text), the muted list,
admin commands run for a caller authenticated outside chat, and the workers' speed."""

from __future__ import annotations

from core.audit import AuditLog
from core.model import jobs
from core.state import Keys
from core.turns import Outcome


async def test_the_hub_keeps_recent_turns_by_outcome_without_text(hubkit):
    assembly, adapter = await hubkit.build()
    await adapter.say("/help", user="alice", channel="c1")
    await adapter.say("hello there secret words", user="bob", channel="c2")
    await adapter.say("/mute", user="root", channel="c3")
    recent = assembly.hub.recent.latest()
    assert [t.outcome for t in recent] == [Outcome.ADMIN, Outcome.REPLIED, Outcome.REPLIED]
    assert [t.conversation for t in recent] == ["fake:-:c3:-", "fake:-:c2:-", "fake:-:c1:-"]
    assert recent[-1].skill == "help" and recent[0].skill == ""
    assert assembly.hub.recent.by_outcome() == {"replied": 2, "admin": 1}
    assert "secret" not in repr(recent)


async def test_muted_conversations_are_listed(hubkit):
    assembly, adapter = await hubkit.build()
    await adapter.say("/mute", user="root", channel="b")
    await adapter.say("/mute", user="root", channel="a")
    assert await assembly.controls.muted_conversations() == ["fake:-:a:-", "fake:-:b:-"]


async def test_a_trusted_admin_command_runs_the_chat_handler_and_is_audited_as_its_caller(hubkit, redis):
    from core.pipeline import Turn

    assembly, adapter = await hubkit.build()
    event = adapter.event("/mute", user="whoever", channel="c9")
    reply = await assembly.admin_gate.run_trusted(Turn(event=event, bot=assembly.hub.bot), user="admin-web")
    assert reply.text.startswith("Muted")
    assert await assembly.controls.muted_conversations() == ["fake:-:c9:-"]
    (entry,) = await AuditLog(redis, Keys(), "testbot").latest(1)
    assert (entry.user, entry.command, entry.allowed, entry.conversation) == (
        "admin-web",
        "mute",
        True,
        "fake:-:c9:-",
    )


def test_the_worker_heartbeat_reports_jobs_done_and_the_last_speed(monkeypatch):
    monkeypatch.setattr(jobs._Installed, "done", 0)
    monkeypatch.setattr(jobs._Installed, "tokens_per_s", None)
    assert jobs.speed() == {"jobs_done": "0"}
    monkeypatch.setattr(jobs._Installed, "done", 3)
    monkeypatch.setattr(jobs._Installed, "tokens_per_s", 123.456)
    assert jobs.speed() == {"jobs_done": "3", "tokens_per_s": "123.5"}


def test_queue_depth_shows_the_faster_lanes():
    from core.adminweb.render import _queued

    assert _queued(5, {"urgent": 2, "high": 1}) == "5 (urgent 2, high 1)"
    assert _queued(0, {}) == "0"


def test_switchboard_check_names_a_bad_admin_setting_and_its_fix():
    from bots.preflight import admin_problems

    assert admin_problems({}) == []
    assert admin_problems({"SWITCHBOARD_ADMIN_TOKEN": "x" * 16}) == []
    (short,) = admin_problems({"SWITCHBOARD_ADMIN_TOKEN": "short"})
    assert short.startswith("environment: SWITCHBOARD_ADMIN_TOKEN is 5 characters long; use at least 16")
    assert "secrets.token_urlsafe" in short and "short" not in short  # the value itself is never shown
    (ttl,) = admin_problems({"SWITCHBOARD_ADMIN_TOKEN": "x" * 16, "SWITCHBOARD_ADMIN_SESSION_TTL": "forever"})
    assert "SWITCHBOARD_ADMIN_SESSION_TTL='forever'" in ttl and "between 60 and 604800" in ttl
    (proxy,) = admin_problems(
        {"SWITCHBOARD_ADMIN_TOKEN": "x" * 16, "SWITCHBOARD_ADMIN_BEHIND_PROXY": "maybe"}
    )
    assert "set it to 1 or 0" in proxy
