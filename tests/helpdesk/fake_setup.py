"""The webhook and trigger endpoints of the fake helpdesks that `switchboard helpdesk setup
--create` calls: what was created is kept (and listed back) and every create is recorded."""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from tests.helpdesk.fake_helpdesk import FakeHelpdesk

_ids = itertools.count(700)


def _store(fake: FakeHelpdesk, kind: str, body: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    made = {"id": next(_ids), **item}
    fake.created.append((kind, body))
    fake.configured.setdefault(kind, []).append(made)
    return made


def zendesk(fake: FakeHelpdesk) -> None:
    async def list_webhooks(r: web.Request) -> web.Response:
        name = r.query.get("filter[name_contains]", "")
        hooks = [h for h in fake.configured.get("webhook", []) if name in h["name"]]
        return web.json_response({"webhooks": hooks, "meta": {"has_more": False}})

    async def create_webhook(r: web.Request) -> web.Response:
        body = await r.json()
        made = _store(fake, "webhook", body, {**body["webhook"], "id": f"01GK{next(_ids)}"})
        return web.json_response({"webhook": made}, status=201)

    async def list_triggers(_r: web.Request) -> web.Response:
        return web.json_response({"triggers": fake.configured.get("trigger", []), "count": 0})

    async def create_trigger(r: web.Request) -> web.Response:
        body = await r.json()
        return web.json_response({"trigger": _store(fake, "trigger", body, body["trigger"])}, status=201)

    fake.app.router.add_get("/api/v2/webhooks", list_webhooks)
    fake.app.router.add_post("/api/v2/webhooks", create_webhook)
    fake.app.router.add_get("/api/v2/triggers.json", list_triggers)
    fake.app.router.add_post("/api/v2/triggers.json", create_trigger)


def chatwoot(fake: FakeHelpdesk) -> None:
    async def listed(_r: web.Request) -> web.Response:
        return web.json_response({"payload": {"webhooks": fake.configured.get("webhook", [])}})

    async def create(r: web.Request) -> web.Response:
        body = await r.json()
        made = _store(fake, "webhook", body, {**body, "secret": "generated-by-chatwoot"})
        return web.json_response({"payload": {"webhook": made}})

    fake.app.router.add_get("/api/v1/accounts/{account}/webhooks", listed)
    fake.app.router.add_post("/api/v1/accounts/{account}/webhooks", create)


def zammad(fake: FakeHelpdesk) -> None:
    def lister(kind: str) -> Any:
        async def listed(_r: web.Request) -> web.Response:
            shown = [{**item, "signature_token": "**********"} for item in fake.configured.get(kind, [])]
            return web.json_response(shown)

        return listed

    def creator(kind: str) -> Any:
        async def create(r: web.Request) -> web.Response:
            body = await r.json()
            return web.json_response(_store(fake, kind, body, body), status=201)

        return create

    for kind, path in (("webhook", "/api/v1/webhooks"), ("trigger", "/api/v1/triggers")):
        fake.app.router.add_get(path, lister(kind))
        fake.app.router.add_post(path, creator(kind))


SETUP_ROUTES = {"zendesk": zendesk, "chatwoot": chatwoot, "zammad": zammad}
