"""Signed button ids: a press names only what this bot put on a button."""

from __future__ import annotations

import pytest

from adapters.kit.buttons import MAC_CHARS, SignedIds
from core.secrets import Secret

TOKEN = "0123456789abcdef0123456789abcdef"  # a job id, as the core hands out


def ids(secret: str = "bot-token", **kwargs) -> SignedIds:  # type: ignore[no-untyped-def]
    return SignedIds(Secret(secret), "test buttons", prefix="stop:", max_chars=64, **kwargs)


def test_a_signed_id_opens_to_its_token_and_fits_the_limit():
    signed = ids().sign(TOKEN)
    assert signed is not None and signed.startswith("stop:" + TOKEN + ".")
    assert len(signed) == len("stop:") + len(TOKEN) + 1 + MAC_CHARS <= 64
    assert ids().open(signed) == TOKEN  # another replica with the same secret agrees


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: s.replace(TOKEN, TOKEN[:-1] + "0"),  # another answer's token, same mac
        lambda s: _flip(s, len(s) - 1),  # the mac changed
        lambda s: s[:-1],  # the mac cut short
        lambda s: "stop:" + TOKEN,  # unsigned (the old layout)
        lambda s: "stop:" + TOKEN + ".",  # an empty mac
        lambda s: "stop:." + s.rpartition(".")[2],  # no token
        lambda s: s + "x",  # too long for the platform
        lambda s: s.replace("stop:", "stap:"),  # another kind of button
        lambda s: "stop:" + TOKEN + ".\udcff" * 22,  # not even text
    ],
    ids=["token", "mac", "short", "unsigned", "empty-mac", "no-token", "long", "prefix", "surrogates"],
)
def test_a_tampered_id_opens_to_nothing(tamper):
    signed = ids().sign(TOKEN)
    assert signed is not None
    assert ids().open(tamper(signed)) is None


def test_another_bots_button_and_another_purpose_do_not_verify():
    signed = ids("other-bot-token").sign(TOKEN)
    assert signed is not None and ids().open(signed) is None
    other_purpose = SignedIds("bot-token", "another purpose", prefix="stop:", max_chars=64).sign(TOKEN)
    assert other_purpose is not None and ids().open(other_purpose) is None


def test_tokens_that_do_not_fit_or_are_not_plain_get_no_button():
    signer = ids()
    assert signer.max_token == 64 - len("stop:") - 1 - MAC_CHARS
    assert signer.sign("a" * signer.max_token) is not None
    assert signer.sign("a" * (signer.max_token + 1)) is None
    assert signer.sign("not a token!") is None and signer.sign("") is None and signer.sign(None) is None


def test_no_secret_or_no_room_is_refused_at_start():
    with pytest.raises(ValueError):
        SignedIds("", "p", prefix="stop:", max_chars=64)
    with pytest.raises(ValueError):
        SignedIds("k", "p", prefix="stop:", max_chars=20)
