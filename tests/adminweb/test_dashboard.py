"""The admin dashboard over HTTP: real hub, real Redis, aiohttp's client as the browser."""

from __future__ import annotations

import asyncio
import logging

from core.adminweb.config import ENABLE_HINT
from core.audit import AuditLog
from core.state import Keys
from tests.adminweb.conftest import ADMIN_TOKEN, csrf_of, dashboard_hub
from tests.model.conftest import EmailMasker


async def audit(redis, count: int = 20):
    return await AuditLog(redis, Keys(), "adminbot").latest(count)


async def test_without_the_token_admin_is_404_and_the_log_says_how_to_enable_it(redis, caplog):
    caplog.set_level(logging.INFO)
    async with dashboard_hub(redis, token=None) as hub:
        for path in ("/admin", "/admin/login", "/admin/panels", "/admin/static/admin.js"):
            assert (await hub.client.get(path)).status == 404, path
        response = await hub.client.post("/admin/login", data={"token": ADMIN_TOKEN})
        assert response.status == 404
        assert (await hub.client.post("/admin/actions/mute", data={})).status == 404
    assert caplog.text.count("SWITCHBOARD_ADMIN_TOKEN") == 1 and ENABLE_HINT in caplog.text


async def test_refused_without_login_pages_redirect_and_actions_are_401(dashboard):
    page = await dashboard.client.get("/admin", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"] == "/admin/login"
    login = await dashboard.client.get("/admin")  # followed: the login form
    assert login.status == 200 and 'name="token"' in await login.text()
    assert (await dashboard.client.get("/admin/panels")).status == 401
    for action in ("mute", "unmute", "skills", "model", "nothing-such"):
        response = await dashboard.act(action, "made-up", conversation="fake:-:c1:-", model="x")
        assert response.status == 401, action
    assert (await dashboard.client.post("/admin/logout", allow_redirects=False)).status == 401
    assert await dashboard.assembly.controls.muted_conversations() == []


async def test_a_wrong_token_is_401_and_audited_and_the_right_one_opens_a_session(dashboard, redis):
    for wrong in ("", ADMIN_TOKEN[:-1] + "ö", ADMIN_TOKEN + "x", "x" * 5000):  # 4: under the limit
        response = await dashboard.login(wrong)
        assert response.status == 401, wrong[:40]
        assert "That is not the admin token." in await response.text()
        assert "Set-Cookie" not in response.headers
    response = await dashboard.login()
    assert response.status == 303 and response.headers["Location"] == "/admin"
    cookie = response.cookies["sb_admin"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and not cookie["secure"]
    assert cookie["path"] == "/admin" and int(cookie["max-age"]) == 8 * 3600
    page = await dashboard.client.get("/admin")
    text = await page.text()
    assert page.status == 200 and "adminbot · admin" in text and csrf_of(text)
    assert (
        page.headers["Cache-Control"] == "no-store"
        and "frame-ancestors 'none'" in (page.headers["Content-Security-Policy"])
    )
    entries = await audit(redis)
    assert [(e.user, e.command, e.allowed, e.result) for e in entries[:2]] == [
        ("admin-web", "login", True, "ok"),
        ("admin-web", "login", False, "wrong_token"),
    ]
    assert all(e.args.startswith("client ") and "127.0.0.1" not in e.args for e in entries)


async def test_the_session_id_is_never_stored_in_redis_only_its_hash(dashboard, redis):
    response = await dashboard.login()
    session_id = response.cookies["sb_admin"].value
    assert len(session_id) >= 40
    keys = [key async for key in redis.scan_iter("*")]
    stored = " ".join(keys)
    for key in keys:
        if await redis.type(key) == "hash":
            stored += " ".join(f"{k} {v}" for k, v in (await redis.hgetall(key)).items())
    assert session_id not in stored
    assert any(key.startswith("sb:admin:session:") for key in keys)
    assert 0 < await redis.ttl(next(k for k in keys if k.startswith("sb:admin:session:"))) <= 8 * 3600


async def test_logins_are_rate_limited_per_address_and_audited_once(dashboard, redis):
    for _ in range(5):
        assert (await dashboard.login("wrong-guess")).status == 401
    for _ in range(3):  # even the right token waits for the window to end
        limited = await dashboard.login()
        assert limited.status == 429 and int(limited.headers["Retry-After"]) > 0
        assert "Too many failed logins" in await limited.text() and "Set-Cookie" not in limited.headers
    entries = await audit(redis)
    assert [e.result for e in entries] == ["rate_limited"] + ["wrong_token"] * 5  # no flood
    assert (await dashboard.client.get("/admin", allow_redirects=False)).status == 303


async def test_parallel_guesses_cannot_slip_past_the_limit(dashboard):
    responses = await asyncio.gather(*(dashboard.login(f"guess-{i}") for i in range(20)))
    assert sorted(r.status for r in responses) == [401] * 5 + [429] * 15


async def test_a_successful_login_clears_the_count(dashboard):
    for _ in range(4):
        assert (await dashboard.login("typo")).status == 401
    assert (await dashboard.login()).status == 303
    for _ in range(4):
        assert (await dashboard.login("typo")).status == 401


async def test_a_login_from_another_site_is_refused(dashboard):
    response = await dashboard.login(Origin="https://evil.example")
    assert response.status == 403 and "Set-Cookie" not in response.headers


async def test_behind_an_https_proxy_the_cookie_is_secure(redis):
    async with dashboard_hub(redis, env={"SWITCHBOARD_ADMIN_BEHIND_PROXY": "1"}) as hub:
        host = hub.client.make_url("/").host
        port = hub.client.make_url("/").port
        response = await hub.client.post(
            "/admin/login",
            data={"token": ADMIN_TOKEN},
            headers={"X-Forwarded-Proto": "https", "Origin": f"https://{host}:{port}"},
            allow_redirects=False,
        )
        assert response.status == 303
        assert response.cookies["sb_admin"]["secure"]


async def test_csrf_missing_or_wrong_or_a_foreign_origin_is_403_and_changes_nothing(dashboard):
    csrf = await dashboard.logged_in()
    conversation = {"conversation": "fake:-:c1:-"}
    assert (await dashboard.act("mute", None, **conversation)).status == 403
    assert (await dashboard.act("mute", "wrong-" + csrf, **conversation)).status == 403
    assert (await dashboard.act("mute", csrf, origin="https://evil.example", **conversation)).status == 403
    assert (await dashboard.act("mute", csrf, origin="null", **conversation)).status == 403
    assert (await dashboard.client.post("/admin/logout", allow_redirects=False)).status == 403
    assert await dashboard.assembly.controls.muted_conversations() == []
    body = await (await dashboard.act("mute", csrf, **conversation)).json()
    assert body["ok"] and body["text"].startswith("Muted")
    assert await dashboard.assembly.controls.muted_conversations() == ["fake:-:c1:-"]


async def test_mute_and_skills_run_the_chat_commands_and_are_audited_as_admin_web(dashboard, redis):
    await dashboard.adapter.say("/help", user="alice", channel="c7")
    csrf = await dashboard.logged_in()
    panels = await (await dashboard.client.get("/admin/panels")).text()
    assert "fake:-:c7:-" in panels and "replied 1" in panels  # the recent turn, by outcome
    assert (await (await dashboard.act("mute", csrf, conversation="fake:-:c7:-")).json())["ok"]
    record = await dashboard.adapter.say("are you there?", user="alice", channel="c7")
    assert record.outcome == "muted"  # the chat itself now stays quiet
    answer = await (
        await dashboard.act("skills", csrf, conversation="fake:-:c8:-", state="disable", skill="about")
    ).json()
    assert answer["text"] == "Skill 'about' is now disabled in this conversation."
    record = await dashboard.adapter.say("/about", user="alice", channel="c8")
    assert "I'm adminbot" not in (record.replies[0].text if record.replies else "")
    assert (await (await dashboard.act("unmute", csrf, conversation="fake:-:c7:-")).json())["ok"]
    assert await dashboard.assembly.controls.muted_conversations() == []
    entries = await audit(redis, 3)
    assert [(e.user, e.command, e.args, e.conversation, e.result) for e in entries] == [
        ("admin-web", "unmute", "", "fake:-:c7:-", "ok"),
        ("admin-web", "skills", "disable about", "fake:-:c8:-", "ok"),
        ("admin-web", "mute", "", "fake:-:c7:-", "ok"),
    ]
    page = await (await dashboard.client.get("/admin")).text()
    assert "skills disable about" in page  # the audit stream on the page
    assert '<option value="fake:-:c7:-">' in page  # recent conversations offered in the key field
    assert '<form method="post" action="/admin/actions/skills"' in page  # the forms are markup


async def test_bad_input_is_400_naming_the_field_never_500(dashboard):
    csrf = await dashboard.logged_in()
    for action, fields, word in [
        ("mute", {"conversation": "no-colons"}, "conversation"),
        ("mute", {}, "conversation"),
        ("skills", {"conversation": "fake:-:c:-", "state": "explode", "skill": "x"}, "state"),
        ("skills", {"conversation": "fake:-:c:-", "state": "enable", "skill": "two words"}, "skill"),
        ("model", {"model": ""}, "model"),
        ("model", {"model": "x" * 500}, "model"),
    ]:
        response = await dashboard.act(action, csrf, **fields)
        assert response.status == 400, (action, fields)
        assert word in (await response.json())["error"]
    assert (await dashboard.act("shutdown", csrf)).status == 404


async def test_action_arguments_are_audited_masked(redis):
    async with dashboard_hub(redis, masker=EmailMasker()) as hub:
        csrf = await hub.logged_in()
        fields = {"conversation": "fake:-:c1:-", "state": "disable", "skill": "bob@example.com"}
        answer = await (await hub.act("skills", csrf, **fields)).json()
        assert answer["ok"] and "There is no skill named" in answer["text"]
        (entry,) = await audit(redis, 1)
        assert (entry.user, entry.command, entry.args) == ("admin-web", "skills", "disable <EMAIL_1>")
        stream = " ".join(str(v) for e in await audit(redis, 50) for v in (e.args, e.result))
        assert "bob@example.com" not in stream


async def test_output_is_escaped(dashboard):
    csrf = await dashboard.logged_in()
    evil = 'fake:-:<script>alert(1)</script>"x:-'
    assert (await dashboard.act("mute", csrf, conversation=evil)).status == 200
    page = await (await dashboard.client.get("/admin")).text()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;x" in page


async def test_logout_ends_the_session(dashboard):
    csrf = await dashboard.logged_in()
    response = await dashboard.client.post(
        "/admin/logout", data={"csrf": csrf}, headers={"Origin": dashboard.origin}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/admin/login"
    assert (await dashboard.client.get("/admin/panels")).status == 401


async def test_a_plain_form_post_without_script_gets_the_page_with_the_answer(dashboard):
    csrf = await dashboard.logged_in()
    response = await dashboard.client.post(
        "/admin/actions/mute",
        data={"csrf": csrf, "conversation": "fake:-:c2:-"},
        headers={"Origin": dashboard.origin},
    )
    text = await response.text()
    assert response.status == 200 and "Muted: I will not answer" in text and 'id="muted"' in text


async def test_another_replica_knows_the_session_until_the_token_is_rotated(redis):
    async with dashboard_hub(redis) as first:
        await first.logged_in()
        cookie = first.client.session.cookie_jar.filter_cookies(first.client.make_url("/admin"))["sb_admin"]

    async def panels_status(env_token: str) -> int:
        async with dashboard_hub(redis, token=env_token) as replica:
            jar = replica.client.session.cookie_jar
            jar.update_cookies({"sb_admin": cookie.value}, replica.client.make_url("/admin"))
            return (await replica.client.get("/admin/panels")).status

    assert await panels_status(ADMIN_TOKEN) == 200  # sessions live in Redis: any replica serves them
    assert await panels_status("a-brand-new-admin-token-0042") == 401


async def test_neither_the_token_nor_a_session_id_reaches_the_logs(dashboard, caplog):
    caplog.set_level(logging.DEBUG)
    await dashboard.login("wrong-" + ADMIN_TOKEN)
    response = await dashboard.login()
    session_id = response.cookies["sb_admin"].value
    page = await dashboard.client.get("/admin")
    csrf = csrf_of(await page.text())
    await dashboard.act("mute", csrf, conversation="fake:-:c1:-")
    await dashboard.act("mute", "wrong", conversation="fake:-:c1:-")
    assert "admin login refused: wrong token" in caplog.text
    for secret in (ADMIN_TOKEN, session_id, csrf):
        assert secret not in caplog.text


async def test_with_redis_unreachable_the_dashboard_answers_503_not_500():
    from redis.asyncio import Redis

    from bots.redis_runner import free_port

    dead = Redis.from_url(f"redis://127.0.0.1:{free_port()}", decode_responses=True, socket_connect_timeout=1)
    try:
        async with dashboard_hub(dead) as hub:
            hub.client.session.cookie_jar.update_cookies(
                {"sb_admin": "x" * 43}, hub.client.make_url("/admin")
            )
            for method, path in [
                ("GET", "/admin"),
                ("GET", "/admin/panels"),
                ("POST", "/admin/actions/mute"),
            ]:
                response = await hub.client.request(method, path, headers={"Origin": hub.origin})
                assert response.status == 503, path
                assert "cannot reach Redis" in (await response.json())["error"]
            assert (await hub.login()).status == 503
    finally:
        await dead.aclose()
