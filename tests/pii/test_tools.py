"""`switchboard pii mask`, the logging redaction filter, and the vault key."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bots.cli import build_parser
from core.errors import ConfigError
from core.logs import RedactionFilter
from core.pii import vaultkey


def test_pii_mask_round_trip_keeps_order_and_reports_bad_lines(analyzer, monkeypatch, capsys):
    lines = [
        json.dumps({"text": "Hi, I'm Maria Gonzalez, mail maria.g@example.com"}),
        "this is not json",
        json.dumps({"text": "nothing personal here"}),
        json.dumps({"txt": "wrong field"}),
        json.dumps({"text": "again maria.g@example.com, card 4111 1111 1111 1111"}),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    args = build_parser().parse_args(["pii", "mask", "--bot", "assistant"])
    status = args.func(args)
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 1 and len(rows) == 5
    assert rows[0]["masked"] == "Hi, I'm <PERSON_1>, mail <EMAIL_ADDRESS_1>"
    assert rows[0]["entities"][1] == {"type": "EMAIL_ADDRESS", "start": 29, "end": 48, "score": 1.0}
    assert rows[1] == {"error": "line 2: not valid JSON (Expecting value at column 1)"}
    assert rows[2] == {"masked": "nothing personal here", "entities": []}
    assert rows[3]["error"].startswith("line 4: expected an object")
    assert rows[4]["masked"] == "again <EMAIL_ADDRESS_1>, card <CREDIT_CARD_1>"
    assert "line 2" in err and "line 4" in err


def test_log_redaction_filter_masks_what_slipped_through(caplog):
    logger = logging.getLogger("tests.pii.redaction")
    handler = logging.Handler()
    seen: list[str] = []
    handler.emit = lambda record: seen.append(record.getMessage() + (record.exc_text or ""))  # type: ignore[method-assign]
    handler.addFilter(RedactionFilter())
    logger.addHandler(handler)
    try:
        logger.warning("user %s wrote from %s", "maria.g@example.com", "+44 20 7946 0958")
        try:
            raise ValueError("bad card 4111 1111 1111 1111 token xoxb-2048392-3810294-aB3dE5fG7h")
        except ValueError:
            logger.exception("failed on 127.0.0.1:8080 after 12 turns")
    finally:
        logger.removeHandler(handler)
    text = "\n".join(seen)
    for leaked in ("maria.g@", "7946", "4111", "xoxb-"):
        assert leaked not in text
    assert "[REDACTED EMAIL]" in text and "127.0.0.1:8080 after 12 turns" in text


def test_vault_key_from_env_or_a_generated_local_file(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    key_file = tmp_path / "switchboard" / "vault.key"
    first = vaultkey.load({}, key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert "generated a local PII vault key" in caplog.text and first.reveal() not in caplog.text
    assert vaultkey.load({}, key_file) == first
    env_key = vaultkey.generate()
    assert vaultkey.load({"SWITCHBOARD_VAULT_KEY": env_key}, key_file).reveal() == env_key
    with pytest.raises(ConfigError, match="32 random bytes"):
        vaultkey.load({"SWITCHBOARD_VAULT_KEY": "too-short"}, key_file)


def test_log_redaction_keeps_ids_readable_and_masks_real_ibans():
    from core.logs import redact

    line = redact("job 6f1c2a9e8b7d4c3ab2e1f0d9c8b7a6e5 failed for GB82 WEST 1234 5698 7654 32")
    assert "6f1c2a9e8b7d4c3ab2e1f0d9c8b7a6e5" in line
    assert "GB82" not in line and "[REDACTED IBAN]" in line
