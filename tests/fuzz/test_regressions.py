"""One test per class of 500 the fuzz corpus found (tests/fuzz/test_corpus.py), in process and
fast, so each stays fixed without the whole campaign. (The generic hooks' check crash that kept
a hub with `[adapters.hooks.*]` from starting is tested in tests/helpdesk/test_hooks.py.)"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from adapters.discord.convert import Skip, from_interaction
from tests.adminweb.conftest import dashboard_hub
from tests.fuzz.shapes import WRONG_TYPES, payload


@pytest.mark.parametrize("options", WRONG_TYPES, ids=repr)
def test_discord_options_of_any_json_type_are_read_not_raised(options: Any) -> None:
    """`data.options` as a number was iterated: TypeError, a 500 behind a valid signature."""
    ask = payload("discord", "interaction_ask")
    ask["data"]["options"] = options
    admin = payload("discord", "interaction_admin")
    admin["data"]["options"] = [{"type": 1, "name": "status", "options": options}]
    for interaction in (ask, admin):
        result = from_interaction(interaction)
        assert isinstance(result, Skip) or isinstance(result.event.text, str)


UNREADABLE_FORMS = [
    (b"conversation=\xff\xfe", "application/x-www-form-urlencoded"),  # raw bytes, not UTF-8
    (b"conversation=slack:T1:C1:-", "application/x-www-form-urlencoded; charset=no-such-charset"),
    (b"--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n", "multipart/form-data; boundary=x"),
    (b"--x\r\n\r\n\r\n--x--\r\n", "multipart/form-data; boundary=x"),
]


async def test_an_unreadable_dashboard_form_is_400_with_one_warning(redis, caplog) -> None:  # type: ignore[no-untyped-def]
    """aiohttp's form reader raised UnicodeDecodeError, LookupError or ValueError: 500s."""
    async with dashboard_hub(redis) as hub:
        csrf = await hub.logged_in()
        for body, content_type in UNREADABLE_FORMS:
            headers = {"Content-Type": content_type, "X-CSRF-Token": csrf, "Accept": "application/json"}
            for path in ("/admin/actions/mute", "/admin/logout", "/admin/login"):
                caplog.clear()
                with caplog.at_level(logging.WARNING):
                    response = await hub.client.post(path, data=body, headers=headers)
                    answer = json.loads(await response.text())
                assert response.status == 400, (path, body)
                assert answer["error"].startswith("the form cannot be read") and answer["request_id"]
                warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
                assert len(warnings) == 1 and not any(r.exc_info for r in warnings)


async def test_the_model_switch_on_a_bot_without_models_is_404_not_500(redis) -> None:  # type: ignore[no-untyped-def]
    """The dashboard ran `/model use x` on a bot with no model commands: ValueError, a 500."""
    async with dashboard_hub(redis) as hub:
        csrf = await hub.logged_in()
        response = await hub.act("model", csrf, model="beta")
        assert response.status == 404
        assert (await response.json())["error"] == "this bot has no /model command"
