"""`switchboard helpdesk setup <vendor> --create`: the webhook and its triggers made through the
vendor's API with the preset's own HTTP client (credentials, Retry-After), idempotently: each one
is looked up first (the webhook by its URL, a trigger by its name) and only made when missing; a
create whose answer was lost is looked up again before any repeat (`find_existing`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from adapters.helpdesk import setup
from adapters.helpdesk.setup import Target
from adapters.helpdesk.vendor import Vendor, pick, text_of
from adapters.kit.http import HttpClient
from core.errors import ConfigError

CREATABLE = ("zendesk", "chatwoot", "zammad")
Lines = list[str]


def _listed(data: Any, *path: str) -> list[Mapping[str, Any]]:
    found = pick(data, *path, default=[]) if path else data
    return [item for item in found if isinstance(item, Mapping)] if isinstance(found, list) else []


async def _ensure(
    what: str,
    lookup: Callable[[], Awaitable[Mapping[str, Any] | None]],
    create: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Mapping[str, Any]]],
    lines: Lines,
) -> str:
    """The id of `what`: the one that exists, else a new one."""
    existing = await lookup()
    if existing is not None:
        lines.append(f"exists:  {what} (id {text_of(existing.get('id'))})")
        return text_of(existing.get("id"))
    made = await create(lookup)
    lines.append(f"created: {what} (id {text_of(made.get('id'))})")
    return text_of(made.get("id"))


async def _post(client: HttpClient, path: str, body: Any, find: Callable[[], Awaitable[Any]]) -> Any:
    result = await client.request("POST", path, json=body, idempotent=False, find_existing=find)
    return result.data


async def zendesk(client: HttpClient, target: Target, _env: Mapping[str, str]) -> Lines:
    lines: Lines = []

    async def webhook() -> Mapping[str, Any] | None:
        found = await client.get("/api/v2/webhooks", **{"filter[name_contains]": setup.NAME})
        hooks = _listed(found.data, "webhooks")
        return next((h for h in hooks if h.get("endpoint") == target.hook_url), None)

    async def make_webhook(find: Callable[[], Awaitable[Any]]) -> Mapping[str, Any]:
        data = await _post(client, "/api/v2/webhooks", setup.zendesk_webhook(target), find)
        return pick(data, "webhook", default=data if isinstance(data, Mapping) else {})

    webhook_id = await _ensure(f"webhook {target.hook_url}", webhook, make_webhook, lines)
    for title in setup.ZENDESK_TRIGGERS:

        async def trigger(title: str = title) -> Mapping[str, Any] | None:
            listed = _listed((await client.get("/api/v2/triggers.json", per_page=100)).data, "triggers")
            return next((t for t in listed if t.get("title") == title), None)

        async def make_trigger(find: Callable[[], Awaitable[Any]], title: str = title) -> Mapping[str, Any]:
            data = await _post(
                client, "/api/v2/triggers.json", setup.zendesk_trigger(title, webhook_id), find
            )
            return pick(data, "trigger", default=data if isinstance(data, Mapping) else {})

        await _ensure(f"trigger {title!r}", trigger, make_trigger, lines)
    lines.append(
        "next: set ZENDESK_WEBHOOK_SECRET to the webhook's signing secret "
        "(Admin Center → Webhooks → Switchboard → Reveal secret)"
    )
    return lines


async def chatwoot(client: HttpClient, target: Target, _env: Mapping[str, str]) -> Lines:
    if not target.account:
        raise ConfigError(
            "the Chatwoot account id is needed: --account N (or CHATWOOT_ACCOUNT_ID)",
            source="switchboard helpdesk setup chatwoot",
        )
    path = f"/api/v1/accounts/{target.account}/webhooks"
    lines: Lines = []

    async def webhook() -> Mapping[str, Any] | None:
        data = (await client.get(path)).data
        hooks = _listed(data, "payload", "webhooks") or _listed(data)
        return next((h for h in hooks if h.get("url") == target.hook_url), None)

    async def make(find: Callable[[], Awaitable[Any]]) -> Mapping[str, Any]:
        data = await _post(client, path, setup.chatwoot_webhook(target), find)
        return pick(data, "payload", "webhook", default={}) or pick(data, "payload", default={})

    await _ensure(f"webhook {target.hook_url}", webhook, make, lines)
    lines.append(
        "next: set CHATWOOT_WEBHOOK_SECRET to the webhook's secret (Settings → Integrations → Webhooks)"
    )
    return lines


async def zammad(client: HttpClient, target: Target, env: Mapping[str, str]) -> Lines:
    secret = env.get("ZAMMAD_WEBHOOK_SECRET", "").strip()
    if not secret:
        raise ConfigError(
            "set ZAMMAD_WEBHOOK_SECRET first: it becomes the webhook's signature token",
            source="switchboard helpdesk setup zammad",
        )
    lines: Lines = []

    async def webhook() -> Mapping[str, Any] | None:
        hooks = _listed((await client.get("/api/v1/webhooks")).data)
        return next((h for h in hooks if h.get("endpoint") == target.hook_url), None)

    async def make_webhook(find: Callable[[], Awaitable[Any]]) -> Mapping[str, Any]:
        data = await _post(client, "/api/v1/webhooks", setup.zammad_webhook(target, secret), find)
        return data if isinstance(data, Mapping) else {}

    webhook_id = await _ensure(f"webhook {target.hook_url}", webhook, make_webhook, lines)

    async def trigger() -> Mapping[str, Any] | None:
        listed = _listed((await client.get("/api/v1/triggers")).data)
        return next((t for t in listed if t.get("name") == setup.ZAMMAD_TRIGGER), None)

    async def make_trigger(find: Callable[[], Awaitable[Any]]) -> Mapping[str, Any]:
        hook = int(webhook_id) if webhook_id.isdigit() else webhook_id
        data = await _post(client, "/api/v1/triggers", setup.zammad_trigger(hook), find)
        return data if isinstance(data, Mapping) else {}

    await _ensure(f"trigger {setup.ZAMMAD_TRIGGER!r}", trigger, make_trigger, lines)
    return lines


CREATORS = {"zendesk": zendesk, "chatwoot": chatwoot, "zammad": zammad}


async def create(vendor: Vendor, target: Target, env: Mapping[str, str]) -> Lines:
    """Make what `setup.plan` prints, through `vendor`'s API client; what was found or made."""
    creator = CREATORS.get(target.vendor)
    if creator is None:
        raise ConfigError(
            f"{vendor.label}'s API cannot create its webhooks: paste the printed configuration "
            f"(--create works for {', '.join(CREATABLE)})",
            source=f"switchboard helpdesk setup {target.vendor}",
        )
    if not vendor.auth_headers():
        raise ConfigError(
            f"--create needs {vendor.label} API credentials in the environment "
            f"({', '.join(v for k, v in vendor.env.items() if k not in {'url', 'webhook_secret'})})",
            source=f"switchboard helpdesk setup {target.vendor}",
        )
    return await creator(vendor.client, target, env)
