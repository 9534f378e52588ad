"""The model switch on the dashboard reaches the workers: two real worker processes, each
serving a tiny model that answers with one letter ("aaaa…" or "bbbb…"); after the button,
questions asked through the REST API are answered by the other worker."""

from __future__ import annotations

import pytest

from adapters.rest import RestAdapter
from core.audit import AuditLog
from core.secrets import Secret
from core.state import Keys
from tests.adminweb.conftest import dashboard_hub
from tests.model.conftest import TOKEN, bot_toml
from tests.model.test_model_switch import ANSWER_TOKENS, answer_text, two_models

pytestmark = pytest.mark.slow


async def test_the_model_switch_on_the_dashboard_reaches_the_workers(
    redis, redis_url, tmp_path, model_workers
):
    model = two_models(tmp_path)
    bot = bot_toml(tmp_path / "bot.toml", dict(model, models=list(model["models"])))
    rest = RestAdapter(Secret(TOKEN), timeout_s=120)
    async with dashboard_hub(redis, adapters=[rest], model=model) as hub:
        alpha, beta = model_workers(bot, redis_url, "alpha"), model_workers(bot, redis_url, "beta")
        await alpha.ready(redis)
        await beta.ready(redis)
        http, base = hub.client.session, str(hub.client.make_url("")).rstrip("/")
        assert await answer_text(http, base, "Who answers now?") == "a" * ANSWER_TOKENS

        csrf = await hub.logged_in()
        panels = await (await hub.client.get("/admin/panels")).text()
        assert panels.count("<td>cpu</td>") == 2  # both live workers, with their device
        assert "Model in use: automatic" in panels
        answer = await (await hub.act("model", csrf, model="beta")).json()
        assert answer == {"ok": True, "text": "From now on 'beta' answers in every conversation of this bot."}
        assert await answer_text(http, base, "And now?") == "b" * ANSWER_TOKENS
        panels = await (await hub.client.get("/admin/panels")).text()
        assert "Model in use: beta" in panels and "tokens/s" in panels

        answer = await (await hub.act("model", csrf, model="auto")).json()
        assert "automatic again" in answer["text"]
        assert await answer_text(http, base, "Back?") == "a" * ANSWER_TOKENS
        entries = await AuditLog(redis, Keys(), "adminbot").latest(2)
        assert [(e.user, e.command, e.args) for e in entries] == [
            ("admin-web", "model", "auto"),
            ("admin-web", "model", "use beta"),
        ]
