"""Each vendor's API shape over the one in-memory store of `FakeHelpdesk` (the endpoints the
adapter calls, answered the way the vendors document them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.helpdesk.fake_helpdesk import AGENTS, BOT_ID, FakeHelpdesk, Write, iso

Handler = Callable[[web.Request], Any]


def _num(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def zendesk(fake: FakeHelpdesk) -> None:
    async def me(_r: web.Request) -> web.Response:
        return web.json_response({"user": {"id": int(BOT_ID), "role": "agent"}})

    async def show(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["id"])
        ticket = {"id": int(t.ref), "status": t.status, "requester_id": int(t.requester)}
        ticket["assignee_id"] = int(t.assignee) if t.assignee else None
        ticket |= {"priority": t.priority or None, "group_id": _num(t.group) if t.group else None}
        return web.json_response({"ticket": ticket | {"updated_at": t.updated_at}})

    async def comments(r: web.Request) -> web.Response:
        listed = [
            {
                "id": int(c.id),
                "author_id": int(c.author_id),
                "public": c.public,
                "body": c.body,
                "created_at": iso(c.created_at),
            }
            for c in reversed(fake.ticket(r.match_info["id"]).comments)
        ]
        return web.json_response({"comments": listed})

    async def update(r: web.Request) -> web.Response:
        body = await r.json()
        fields = body["ticket"]
        if "comment" not in fields:  # a field update: tags, priority, group, assignee
            if fake.agent_edit:  # an agent saves the ticket first
                fake.apply(r.match_info["id"], {}, **fake.agent_edit)
                fake.updates.pop()
                fake.agent_edit = {}
            held = fake.ticket(r.match_info["id"])
            if fields.get("safe_update") and fields.get("updated_stamp") != held.updated_at:
                fake.updates.append(Write(held.ref, body, stored=False))
                conflict = "Safe Update prevented the update due to outdated ticket data."
                return web.json_response({"error": "UpdateConflict", "description": conflict}, status=409)
            t = fake.apply(
                r.match_info["id"],
                body,
                add=fields.get("additional_tags"),
                remove=fields.get("remove_tags"),
                priority=fields.get("priority"),
                group=fields.get("group_id"),
            )
            return web.json_response({"ticket": {"id": int(t.ref), "tags": t.tags, "priority": t.priority}})
        comment = fields["comment"]
        author = str(comment.get("author_id") or BOT_ID)
        got = fake._write(r.match_info["id"], body, comment["body"], comment.get("public", True), author)
        if isinstance(got, web.Response):
            return got
        events = [{"id": int(got.id), "type": "Comment", "public": got.public}]
        return web.json_response({"ticket": {"id": int(r.match_info["id"])}, "audit": {"events": events}})

    async def search_users(r: web.Request) -> web.Response:
        query = r.query.get("query", "").lower()
        users = [
            {"id": int(uid), "email": email, "role": "agent", "active": True}
            for email, uid in AGENTS.items()
            if query and query in email
        ]
        return web.json_response({"users": users, "count": len(users)})

    fake.app.router.add_get("/api/v2/users/me.json", me)
    fake.app.router.add_get("/api/v2/users/search.json", search_users)
    fake.app.router.add_get("/api/v2/tickets/{id}.json", show)
    fake.app.router.add_get("/api/v2/tickets/{id}/comments.json", comments)
    fake.app.router.add_put("/api/v2/tickets/{id}.json", update)


FRESHDESK_STATUS = {"open": 2, "pending": 3, "resolved": 4, "closed": 5}


def freshdesk(fake: FakeHelpdesk) -> None:
    async def me(_r: web.Request) -> web.Response:
        return web.json_response({"id": int(BOT_ID), "available": True})

    async def show(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["id"])
        return web.json_response(
            {
                "id": int(t.ref),
                "status": FRESHDESK_STATUS.get(t.status, 2),
                "requester_id": int(t.requester),
                "responder_id": _num(t.assignee) or None,
                "tags": t.tags,
            }
        )

    async def change(r: web.Request) -> web.Response:
        body = await r.json()
        t = fake.apply(
            r.match_info["id"],
            body,
            tags=body.get("tags"),
            priority=body.get("priority"),
            group=body.get("group_id"),
        )
        return web.json_response({"id": int(t.ref), "tags": t.tags})

    async def conversations(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["id"])
        return web.json_response(
            [
                {
                    "id": int(c.id),
                    "body_text": c.body,
                    "user_id": int(c.author_id),
                    "private": not c.public,
                    "incoming": c.customer,
                    "created_at": iso(c.created_at),
                }
                for c in t.comments
            ]
        )

    def writer(public: bool) -> Handler:
        async def write(r: web.Request) -> web.Response:
            body = await r.json()
            text = body["body"].replace("<br>", "\n").replace("&lt;", "<").replace("&amp;", "&")
            author = str(body.get("user_id") or BOT_ID)
            got = fake._write(r.match_info["id"], body, text, public, author)
            if isinstance(got, web.Response):
                return got
            return web.json_response({"id": int(got.id), "private": not public}, status=201)

        return write

    async def agents(r: web.Request) -> web.Response:
        email = r.query.get("email", "").lower()
        found = [
            {"id": int(uid), "contact": {"email": address, "active": True}}
            for address, uid in AGENTS.items()
            if address == email
        ]
        return web.json_response(found)

    fake.app.router.add_get("/api/v2/agents/me", me)
    fake.app.router.add_get("/api/v2/agents", agents)
    fake.app.router.add_get("/api/v2/tickets/{id}", show)
    fake.app.router.add_put("/api/v2/tickets/{id}", change)
    fake.app.router.add_get("/api/v2/tickets/{id}/conversations", conversations)
    fake.app.router.add_post("/api/v2/tickets/{id}/notes", writer(False))
    fake.app.router.add_post("/api/v2/tickets/{id}/reply", writer(True))


def jsm(fake: FakeHelpdesk) -> None:
    async def me(_r: web.Request) -> web.Response:
        return web.json_response({"accountId": BOT_ID, "accountType": "app"})

    async def issue(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["key"])
        category = "done" if t.status in {"resolved", "closed", "done"} else "indeterminate"
        fields = {
            "status": {"name": t.status.capitalize(), "statusCategory": {"key": category}},
            "assignee": {"accountId": t.assignee} if t.assignee else None,
            "reporter": {"accountId": t.requester},
        }
        return web.json_response({"key": t.ref, "fields": fields})

    async def comments(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["key"])
        values = [
            {
                "id": c.id,
                "body": c.body,
                "public": c.public,
                "author": {"accountId": c.author_id},
                "created": {"epochMillis": int(c.created_at * 1000)},
            }
            for c in t.comments
        ]
        return web.json_response({"size": len(values), "values": values})

    async def add(r: web.Request) -> web.Response:
        body = await r.json()
        got = fake._write(r.match_info["key"], body, body["body"], body.get("public", True))
        if isinstance(got, web.Response):
            return got
        return web.json_response({"id": got.id, "body": got.body, "public": got.public}, status=201)

    async def edit(r: web.Request) -> web.Response:
        body = await r.json()
        labels = (body.get("update") or {}).get("labels") or []
        fake.apply(
            r.match_info["key"],
            body,
            add=[x["add"] for x in labels if "add" in x],
            remove=[x["remove"] for x in labels if "remove" in x],
            priority=((body.get("fields") or {}).get("priority") or {}).get("name"),
        )
        return web.Response(status=204)

    async def assignee(r: web.Request) -> web.Response:
        body = await r.json()
        fake.ticket(r.match_info["key"], assignee=body["accountId"])
        fake.updates.append(Write(r.match_info["key"], body, stored=True))
        return web.Response(status=204)

    fake.app.router.add_put("/rest/api/3/issue/{key}", edit)
    fake.app.router.add_put("/rest/api/3/issue/{key}/assignee", assignee)
    fake.app.router.add_get("/rest/api/3/myself", me)
    fake.app.router.add_get("/rest/api/3/issue/{key}", issue)
    fake.app.router.add_get("/rest/servicedeskapi/request/{key}/comment", comments)
    fake.app.router.add_post("/rest/servicedeskapi/request/{key}/comment", add)


def _intercom_parts(fake: FakeHelpdesk, ref: str) -> list[dict[str, Any]]:
    t = fake.ticket(ref)
    return [
        {
            "type": "conversation_part",
            "id": c.id,
            "part_type": "comment" if c.public else "note",
            "body": c.body,
            "created_at": int(c.created_at),
            "author": {"type": "user" if c.customer else "admin", "id": c.author_id},
        }
        for c in t.comments
    ]


def intercom(fake: FakeHelpdesk) -> None:
    def conversation(ref: str) -> dict[str, Any]:
        t = fake.ticket(ref)
        parts = _intercom_parts(fake, ref)
        return {
            "type": "conversation",
            "id": ref,
            "state": t.status,
            "admin_assignee_id": _num(t.assignee) or None,
            "conversation_parts": {
                "type": "conversation_part.list",
                "conversation_parts": parts,
                "total_count": len(parts),
            },
        }

    async def show(r: web.Request) -> web.Response:
        return web.json_response(conversation(r.match_info["id"]))

    async def reply(r: web.Request) -> web.Response:
        body = await r.json()
        assert body["type"] == "admin" and body["admin_id"] in {BOT_ID, *AGENTS.values()}
        public = body["message_type"] == "comment"
        got = fake._write(r.match_info["id"], body, body["body"], public, str(body["admin_id"]))
        if isinstance(got, web.Response):
            return got
        return web.json_response(conversation(r.match_info["id"]))

    async def admins(_r: web.Request) -> web.Response:
        listed = [{"type": "admin", "id": uid, "email": email} for email, uid in AGENTS.items()]
        return web.json_response({"type": "admin.list", "admins": listed})

    fake.app.router.add_get("/admins", admins)

    async def tag(r: web.Request) -> web.Response:
        body = await r.json()
        return web.json_response({"type": "tag", "id": f"t-{body['name']}", "name": body["name"]})

    async def tag_conversation(r: web.Request) -> web.Response:
        body = await r.json()
        assert body["admin_id"] == BOT_ID
        fake.apply(r.match_info["id"], body, add=[body["id"].removeprefix("t-")])
        return web.json_response({"type": "tag", "id": body["id"]})

    async def change(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(r.match_info["id"], body, priority=body.get("priority"))
        return web.json_response(conversation(r.match_info["id"]))

    async def part(r: web.Request) -> web.Response:
        body = await r.json()
        assert body["message_type"] == "assignment" and body["admin_id"] == BOT_ID
        fake.apply(r.match_info["id"], body, group=body["assignee_id"] if body["type"] == "team" else None)
        return web.json_response(conversation(r.match_info["id"]))

    fake.app.router.add_post("/tags", tag)
    fake.app.router.add_post("/conversations/{id}/tags", tag_conversation)
    fake.app.router.add_put("/conversations/{id}", change)
    fake.app.router.add_post("/conversations/{id}/parts", part)
    fake.app.router.add_get("/conversations/{id}", show)
    fake.app.router.add_post("/conversations/{id}/reply", reply)


def chatwoot(fake: FakeHelpdesk) -> None:
    async def me(_r: web.Request) -> web.Response:
        return web.json_response({"id": int(BOT_ID), "name": "Switchboard", "role": "agent"})

    async def show(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["c"])
        assignee = {"id": int(t.assignee)} if t.assignee else None
        return web.json_response({"id": int(t.ref), "status": t.status, "meta": {"assignee": assignee}})

    async def messages(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["c"])
        payload = [
            {
                "id": int(c.id),
                "content": c.body,
                "message_type": 0 if c.customer else 1,
                "private": not c.public,
                "created_at": int(c.created_at),
                "sender": {"id": int(c.author_id), "type": "contact" if c.customer else "user"},
            }
            for c in t.comments
        ]
        return web.json_response({"meta": {}, "payload": payload})

    async def create(r: web.Request) -> web.Response:
        body = await r.json()
        got = fake._write(r.match_info["c"], body, body["content"], not body.get("private", False))
        if isinstance(got, web.Response):
            return got
        return web.json_response({"id": int(got.id), "content": got.body, "private": not got.public})

    async def labels(r: web.Request) -> web.Response:
        return web.json_response({"payload": fake.ticket(r.match_info["c"]).tags})

    async def set_labels(r: web.Request) -> web.Response:
        body = await r.json()
        t = fake.apply(r.match_info["c"], body, tags=body["labels"])
        return web.json_response({"payload": t.tags})

    async def priority(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(r.match_info["c"], body, priority=body["priority"])
        return web.Response(status=200)

    async def assign(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(r.match_info["c"], body, group=body.get("team_id"))
        return web.json_response({"id": body.get("team_id")})

    base = "/api/v1/accounts/{a}/conversations/{c}"
    fake.app.router.add_get(base + "/labels", labels)
    fake.app.router.add_post(base + "/labels", set_labels)
    fake.app.router.add_post(base + "/toggle_priority", priority)
    fake.app.router.add_post(base + "/assignments", assign)
    fake.app.router.add_get("/api/v1/profile", me)
    fake.app.router.add_get(base, show)
    fake.app.router.add_get(base + "/messages", messages)
    fake.app.router.add_post(base + "/messages", create)


def zammad(fake: FakeHelpdesk) -> None:
    async def me(_r: web.Request) -> web.Response:
        return web.json_response({"id": int(BOT_ID), "login": "switchboard@example.com"})

    async def show(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["id"])
        return web.json_response({"id": int(t.ref), "state": t.status, "owner_id": int(t.assignee or 1)})

    async def articles(r: web.Request) -> web.Response:
        t = fake.ticket(r.match_info["id"])
        return web.json_response(
            [
                {
                    "id": int(c.id),
                    "body": c.body,
                    "internal": not c.public,
                    "created_by_id": int(c.author_id),
                    "sender": "Customer" if c.customer else "Agent",
                    "created_at": iso(c.created_at),
                }
                for c in t.comments
            ]
        )

    async def create(r: web.Request) -> web.Response:
        body = await r.json()
        got = fake._write(str(body["ticket_id"]), body, body["body"], not body.get("internal", True))
        if isinstance(got, web.Response):
            return got
        return web.json_response(
            {"id": int(got.id), "ticket_id": body["ticket_id"], "internal": not got.public}, status=201
        )

    async def add_tag(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(str(body["o_id"]), body, add=[body["item"]])
        return web.json_response(True)

    async def remove_tag(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(str(body["o_id"]), body, remove=[body["item"]])
        return web.json_response(True)

    async def change(r: web.Request) -> web.Response:
        body = await r.json()
        fake.apply(r.match_info["id"], body, priority=body.get("priority"), group=body.get("group_id"))
        return web.json_response({"id": int(r.match_info["id"])})

    fake.app.router.add_post("/api/v1/tags/add", add_tag)
    fake.app.router.add_delete("/api/v1/tags/remove", remove_tag)
    fake.app.router.add_put("/api/v1/tickets/{id}", change)
    fake.app.router.add_get("/api/v1/users/me", me)
    fake.app.router.add_get("/api/v1/tickets/{id}", show)
    fake.app.router.add_get("/api/v1/ticket_articles/by_ticket/{id}", articles)
    fake.app.router.add_post("/api/v1/ticket_articles", create)


ROUTES: dict[str, Callable[[FakeHelpdesk], None]] = {
    "zendesk": zendesk,
    "freshdesk": freshdesk,
    "jsm": jsm,
    "intercom": intercom,
    "chatwoot": chatwoot,
    "zammad": zammad,
}
