"""What a person sees in place of a placeholder: the original value where the destination may see
it, else a short readable redaction ("[name withheld]"). Pure functions, used for streamed edits
and final text alike, so both show the same.

Three kinds of token are handled:
- Switchboard's own placeholders, `<PERSON_1>`: restored when the vault knows the value for this
  conversation and the destination may see its type; withheld otherwise (not allowed, expired,
  or invented by the model: `<PERSON_9>`);
- malformed copies of them, `<PERSON 1>`, `[PERSON_1]`, `<person_1`, `<<EMAIL_ADDRESS_1>>`,
  `<address_1234567890>`: withheld;
- the generic tokens models write for data they do not have, `<NAME>`, `[PHONE]`, `{email}`,
  `[REDACTED]`: withheld.
Anything in brackets whose label is not PII vocabulary (`<div>`, `[link]`, `{count}`) is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

# label word (as written by a model, case-insensitive) -> what the person is told was withheld
_KINDS = {
    "name": (
        "person name first_name firstname given_name last_name lastname surname full_name fullname "
        "customer customer_name user_name username contact_name"
    ),
    "email": "email email_address e-mail e-mail_address mail mail_address",
    "phone number": "phone phone_number telephone tel mobile mobile_number phone_no",
    "address": "address street_address home_address postal_address addr",
    "card number": "card_number credit_card credit_card_number",
    "bank account": "iban iban_code account_number bank_account",
    "ID number": "ssn us_ssn social_security_number id_number passport",
    "IP address": "ip ip_address",
    "secret": "secret password api_key access_token credentials",
    "details": "redacted pii denied_term",
}
KIND_OF = {label: kind for kind, labels in _KINDS.items() for label in labels.split()}
# our entity types, for placeholders whose label is exactly one of them
KIND_OF.update(
    {
        "person": "name",
        "email_address": "email",
        "phone_number": "phone number",
        "street_address": "address",
        "credit_card": "card number",
        "iban_code": "bank account",
        "us_ssn": "ID number",
        "ip_address": "IP address",
    }
)
_LABELS = "|".join(sorted((re.escape(k).replace("_", "[ _-]?") for k in KIND_OF), key=len, reverse=True))
# an opening bracket (doubled or not), a PII label, an optional number, the closing bracket;
# a missing closing bracket is accepted at a word boundary ("<PERSON_1 said")
PLACEHOLDER_LIKE = re.compile(
    rf"(?:<<?|\[\[?|\{{\{{?)[ \t]*(?P<label>{_LABELS})(?:[ \t_#:-]*(?P<number>\d{{1,12}}))?[ \t]*"
    r"(?:>>?|\]\]?|\}\}?|(?<=\d)(?![\w>\]}]))",
    re.IGNORECASE,
)
# our own format first (restored by policy), then anything else placeholder-like (withheld)
_TOKEN = re.compile(rf"(?P<own><(?P<type>[A-Z][A-Z_]*?)_\d+>)|{PLACEHOLDER_LIKE.pattern}", re.IGNORECASE)
# a trailing fragment that may still grow into one of the above: held back while streaming
PARTIAL = re.compile(r"(?:<<?|\[\[?|\{\{?)[ \t]*[A-Za-z][\w \t#:-]{0,40}$|(?:<<?|\[\[?|\{\{?)$")


def withheld(label: str) -> str:
    """ "[name withheld]" for a label such as PERSON, NAME, first name, EMAIL_ADDRESS."""
    key = re.sub(r"[ \t-]+", "_", label.strip().lower())
    return f"[{KIND_OF.get(key, 'details')} withheld]"


def render(text: str, values: Mapping[str, str], allowed: Collection[str]) -> str:
    """`text` as a person may see it: placeholders restored where `values` has them and their
    type is in `allowed`; every other placeholder, malformed or generic token withheld."""

    def show(match: re.Match[str]) -> str:
        if match.group("own") is None:
            return withheld(match.group("label"))
        placeholder, entity_type = match.group("own"), match.group("type")
        if entity_type in allowed and placeholder in values:
            return values[placeholder]
        return withheld(entity_type)

    return _TOKEN.sub(show, text)


def hold_back(text: str) -> str:
    """Streamed text without a trailing fragment that may still become a placeholder."""
    held = PARTIAL.search(text[-48:])
    return text[: len(text) - len(text[-48:]) + held.start()] if held else text
