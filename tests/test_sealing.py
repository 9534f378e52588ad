"""The one sealer: per-purpose keys, a versioned format, associated data, one key decoding."""

from __future__ import annotations

import base64

import pytest

from core import sealing
from core.errors import ConfigError
from core.sealing import Sealer, SealError

MASTER = bytes(range(32))


def test_a_sealed_value_opens_only_with_its_purpose_and_context():
    sealer = Sealer(MASTER, "one purpose")
    sealed = sealer.seal(b"xoxb-secret", b"slack\0T1")
    assert sealed.startswith("s1:") and "xoxb" not in sealed
    assert sealer.open(sealed, b"slack\0T1") == b"xoxb-secret"
    with pytest.raises(SealError):
        sealer.open(sealed, b"slack\0T2")  # moved to another record
    with pytest.raises(SealError):
        Sealer(MASTER, "another purpose").open(sealed, b"slack\0T1")
    with pytest.raises(SealError):
        sealer.open(sealed[:-4] + "AAAA", b"slack\0T1")  # tampered
    with pytest.raises(SealError):
        sealer.open("garbage", b"slack\0T1")


def test_one_key_decoding_takes_either_base64_alphabet_and_names_the_variable():
    standard = base64.b64encode(b"\xfb" * 32).decode()  # has '+' and '/'
    urlsafe = base64.urlsafe_b64encode(b"\xfb" * 32).decode()
    assert sealing.decode_key(standard, name="K", source="env") == b"\xfb" * 32
    assert sealing.decode_key(urlsafe, name="K", source="env") == b"\xfb" * 32
    with pytest.raises(ConfigError, match="MY_KEY must be 32 random bytes"):
        sealing.decode_key("short", name="MY_KEY", source="env")


async def test_a_vault_entry_written_before_the_sealer_still_restores(redis):
    from core.pii.vault import RedisVault
    from core.pii.vaultkey import generate
    from core.secrets import Secret

    vault = RedisVault(redis, Secret(generate()), prefix="t:vault", ttl_seconds=60)
    (placeholder,) = await vault.assign("conv", [("PHONE_NUMBER", "+48 22 123 45 67")])
    stored = await redis.hget("t:vault:conv", f"v:{placeholder}")
    assert stored.startswith("s1:") and "123" not in stored
    await redis.hset("t:vault:conv", f"v:{placeholder}", stored.removeprefix("s1:"))  # the old layout
    assert await vault.lookup("conv", [placeholder]) == {placeholder: "+48 22 123 45 67"}
