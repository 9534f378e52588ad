"""`SWITCHBOARD_LOG_FORMAT=json` on a real `switchboard run`: every line on stderr is one JSON
object; lines logged inside a turn carry its event id, turn id, platform and skill; canary
message text, the API token and the web chat session id appear nowhere."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from core import logs
from tests.test_embedded_run import TOKEN, post, start_hub, stop_hub

pytestmark = pytest.mark.slow

CANARY = "zk.canary@example.org Zbigniew Kowalczyk 4111 1111 1111 1111 plover-xyzzy"
SESSION = "0123456789abcdef0123456789abcdef"


async def test_json_logs_carry_turn_ids_and_never_text(tmp_path: Path):
    definition = tmp_path / "logbot.toml"
    definition.write_text(
        'name = "logbot"\nskills = ["skills.help", "skills.fallback", "tests.log_skills"]\n', encoding="utf-8"
    )
    hub = await start_hub(tmp_path, SWITCHBOARD_BOT=str(definition), SWITCHBOARD_LOG_FORMAT="json")
    try:
        async with aiohttp.ClientSession() as session:
            noted = await post(session, hub, f"/note {CANARY}")
            failed = await post(session, hub, f"/explode {CANARY}", message_id="m2")
            plain = await post(session, hub, CANARY, message_id="m3")
            async with session.ws_connect(f"{hub.base}/ws?session={SESSION}") as ws:
                assert (await ws.receive_json())["type"] == "hello"
                await ws.send_json({"type": "message", "text": f"/note {CANARY}", "id": "w1"})
                while (await ws.receive_json()).get("type") != "reply":
                    pass
    finally:
        code = await stop_hub(hub)
    assert code == 0, hub.log()
    assert noted["replies"][0]["text"] == "noted" and failed["outcome"] == "error" and plain["replies"]

    lines = [line for line in "".join(hub.stderr).splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line parses: nothing else on stderr
    assert all({"ts", "level", "logger", "message"} <= set(r) for r in records)
    assert set().union(*records) <= {"ts", "level", "logger", "message", "exception", *logs.FIELDS}
    in_note = [r for r in records if r["logger"] == "tests.log_skills"]
    assert {r["platform"] for r in in_note} == {"api", "webchat"}
    assert all(r["skill"] == "note" and r["event_id"] and r["turn_id"] for r in in_note)
    (boom,) = [r for r in records if r["message"].startswith("turn failed")]
    assert boom["skill"] == "explode" and boom["platform"] == "api" and boom["event_id"].endswith(":m2")
    everything = "\n".join(lines)
    for secret in (*CANARY.split(), TOKEN, SESSION):
        assert secret not in everything, f"{secret!r} is in the logs"


def test_a_bad_log_format_is_a_clear_error():
    with pytest.raises(ValueError, match="SWITCHBOARD_LOG_FORMAT='yaml' is not one of text, json"):
        logs.log_format({"SWITCHBOARD_LOG_FORMAT": "yaml"})
    assert logs.log_format({}) == "text" and logs.log_format({"SWITCHBOARD_LOG_FORMAT": "JSON"}) == "json"
