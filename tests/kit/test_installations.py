"""The encrypted installation store keyed by (platform, account), and Slack's migration onto it."""

from __future__ import annotations

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.kit.installations import PURPOSE, InstallationStore
from adapters.slack.config import SlackConfig
from adapters.slack.installations import Installation
from adapters.slack.installations import InstallationStore as SlackInstallations
from core.sealing import Sealer, SealError
from core.secrets import Secret

TOKEN_KEY = base64.b64encode(bytes(range(32))).decode()


def store(redis, platform: str = "discord") -> InstallationStore:  # type: ignore[no-untyped-def]
    return InstallationStore(redis, Sealer(bytes(32), PURPOSE), platform=platform, secret_fields={"token"})


async def test_secrets_are_sealed_and_bound_to_their_account(redis):
    discord = store(redis)
    await discord.save("G1", {"name": "Guild one"}, {"token": Secret("bot-token-1")})
    raw = await redis.hgetall("sb:discord:install:G1")
    assert raw["name"] == "Guild one" and raw["token"].startswith("s1:") and "bot-token" not in str(raw)
    found = await discord.find("G1")
    assert found is not None and found.secrets["token"].reveal() == "bot-token-1"
    assert found.fields == {"name": "Guild one"} and "bot-token" not in repr(found)
    await redis.hset("sb:discord:install:G2", mapping=raw)  # copied to another account
    with pytest.raises(SealError):
        await discord.find("G2")
    assert await discord.find("G3") is None and await discord.count() == 2


async def test_an_unknown_secret_field_is_refused(redis):
    with pytest.raises(ValueError, match="not a secret field"):
        await store(redis).save("G1", {}, {"tokne": Secret("x")})


async def test_a_slack_record_of_the_old_format_is_read_and_resealed(redis):
    nonce = os.urandom(12)
    old = AESGCM(base64.b64decode(TOKEN_KEY)).encrypt(nonce, b"xoxb-old", b"T9")
    record = {"team_id": "T9", "bot_token": "v1:" + base64.b64encode(nonce + old).decode(), "bot_id": "B9"}
    await redis.hset("sb:slack:install:T9", mapping=record)
    config = SlackConfig.from_env({"SWITCHBOARD_SLACK_TOKEN_KEY": TOKEN_KEY})
    slack = SlackInstallations.from_config(redis, config)
    found = await slack.find("T9")
    assert found is not None and found.bot_token.reveal() == "xoxb-old" and found.bot_id == "B9"
    assert (await redis.hget("sb:slack:install:T9", "bot_token")).startswith("s1:")
    again = await SlackInstallations.from_config(redis, config).find("T9")
    assert again is not None and again.bot_token.reveal() == "xoxb-old"


async def test_slack_without_a_token_key_uses_the_decoded_vault_key(redis):
    vault_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    config = SlackConfig.from_env({"SWITCHBOARD_VAULT_KEY": vault_key})
    await SlackInstallations.from_config(redis, config).save(Installation("T1", Secret("xoxb-new")))
    found = await SlackInstallations.from_config(redis, config).find("T1")
    assert found is not None and found.bot_token.reveal() == "xoxb-new"


async def test_a_slack_record_sealed_under_the_old_vault_key_derivation_is_migrated(redis):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    vault_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"switchboard slack tokens")
    nonce = os.urandom(12)
    old = AESGCM(hkdf.derive(vault_key.encode())).encrypt(nonce, b"xoxb-vault", b"T8")  # the key's text
    await redis.hset(
        "sb:slack:install:T8", mapping={"bot_token": "v1:" + base64.b64encode(nonce + old).decode()}
    )
    config = SlackConfig.from_env({"SWITCHBOARD_VAULT_KEY": vault_key})
    found = await SlackInstallations.from_config(redis, config).find("T8")
    assert found is not None and found.bot_token.reveal() == "xoxb-vault"
    assert (await redis.hget("sb:slack:install:T8", "bot_token")).startswith("s1:")
