"""The helpdesk vendors on the adapter registry (`bots.registry`): one entry per vendor with the
registry's `Options` (validated there: a misspelt key is named by `switchboard check`),
`build(env, options, services)`, `problems(env, options, declared)` and `ENDPOINTS`.

The hub lends two services in `AdapterServices.extra`: `http_session` (its one client session)
and `vault_key` (where long rate limits park answers, `adapters.helpdesk.parked`). Generic hooks
are many adapters from one table and are built by `adapters.helpdesk.build_hooks`."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.helpdesk import VENDORS, build, config_for, configured
from adapters.helpdesk.adapter import HelpdeskAdapter
from adapters.helpdesk.config import HelpdeskConfig, HelpdeskOptions
from adapters.kit.http import SharedSession
from core.adapter import AdapterServices


class VendorEntry:
    """What the registry asks of an adapter package, for one vendor preset."""

    Options = HelpdeskOptions
    DEFAULT_ENABLED = True

    def __init__(self, name: str) -> None:
        self.name = name
        self.ENDPOINTS = (f"  {VENDORS[name].label + ':':<10} POST {{base}}/hooks/{name}",)

    def _config(self, env: Mapping[str, str], options: HelpdeskOptions, source: str) -> HelpdeskConfig:
        return config_for(self.name, env, options.model_dump(), source=source)

    def build(
        self, env: Mapping[str, str], options: HelpdeskOptions, services: AdapterServices
    ) -> HelpdeskAdapter | None:
        """The vendor, when its environment configures it (or the bot lists it: then it must be)."""
        config = self._config(env, options, services.source)
        if self.name not in services.declared and not configured(self.name, config):
            return None
        session = services.extra.get("http_session") or SharedSession()
        return build(
            self.name,
            config,
            services.redis,
            session,
            key_prefix=services.key_prefix,
            vault_key=services.extra.get("vault_key"),
        )

    def problems(self, env: Mapping[str, str], options: HelpdeskOptions, declared: bool) -> list[str]:
        config = self._config(env, options, "environment")
        if not declared and not configured(self.name, config):
            return []  # not used
        cls = VENDORS[self.name]
        return config.problems(cls.required, cls.env)


zendesk = VendorEntry("zendesk")
freshdesk = VendorEntry("freshdesk")
jsm = VendorEntry("jsm")
intercom = VendorEntry("intercom")
chatwoot = VendorEntry("chatwoot")
zammad = VendorEntry("zammad")
