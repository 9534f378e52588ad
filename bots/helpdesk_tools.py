"""`switchboard helpdesk setup <vendor>`: print the webhook configuration to paste, or make it
(`--create`) through the vendor's API (docs/helpdesks.md)."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from adapters import helpdesk
from adapters.helpdesk import provision, setup
from adapters.kit.http import SharedSession
from core.errors import SwitchboardError


def target_for(
    vendor: str,
    env: Mapping[str, str],
    *,
    url: str | None = None,
    account: str | None = None,
    jql: str | None = None,
    secret_header: str = "X-Switchboard-Secret",
) -> setup.Target:
    public = url or env.get("SWITCHBOARD_PUBLIC_URL", "")
    return setup.Target(
        vendor,
        setup.hook_url(public, vendor),
        account=account or env.get("CHATWOOT_ACCOUNT_ID", "").strip(),
        jql=jql or "",
        secret_header=secret_header,
    )


async def run_setup(
    vendor: str, env: Mapping[str, str], target: setup.Target, *, create: bool, as_json: bool
) -> int:
    pieces = setup.plan(target)
    if not create:
        print(setup.as_json(target, pieces) if as_json else setup.render(target, pieces))
        return 0
    config = helpdesk.config_for(vendor, env)
    if not config.url:
        name = helpdesk.VENDORS[vendor].env["url"]
        print(f"--create needs the helpdesk's API URL: set {name}", file=sys.stderr)
        return 2
    session = SharedSession()
    try:
        preset = helpdesk.VENDORS[vendor](config, session)
        lines = await provision.create(preset, target, env)
    except SwitchboardError as exc:
        print(f"{preset_label(vendor)} setup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        await session.close()
    for line in lines:
        print(line)
    return 0


def preset_label(vendor: str) -> str:
    return helpdesk.VENDORS[vendor].label
