"""The pieces triage and handoff are made of, on the words customers actually write."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from skills.helpdesk import handoff, language, outcome, sentiment, urgency
from skills.helpdesk.config import DraftConfig, HandoffConfig, HelpdeskSettings
from skills.helpdesk.labels import Label
from skills.helpdesk.triage import tag

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ich wurde zweimal belastet, bitte erstatten Sie mir das Geld", "de"),
        ("No puedo entrar en mi cuenta desde ayer", "es"),
        ("Bonjour, ma commande n'est pas arrivée", "fr"),
        ("My password reset link does not work", "en"),
        ("<PERSON_1> ok", "und"),  # too short to tell, placeholders do not count
    ],
)
def test_language(text, code):
    assert language.detect(text).value == code


def test_sentiment_reads_english_and_strong_words_of_other_languages():
    assert sentiment.classify("This is the worst service ever, I am furious").value == "negative"
    assert sentiment.classify("Das ist eine Frechheit, inakzeptabel!").value == "negative"
    assert sentiment.classify("Thanks a lot, it works now!").value == "positive"
    assert sentiment.classify("I cannot log in to my account").value == "neutral"


def test_urgency_from_words_and_the_sla():
    assert urgency.classify("production is down!", now=NOW).value == "urgent"
    assert urgency.classify("the export is not working", now=NOW).value == "high"
    assert urgency.classify("no rush, just a question", now=NOW).value == "low"
    soon = urgency.classify("just a question", sla_due=NOW + 1800, now=NOW)
    assert soon.value == "urgent"  # the SLA decides when it is near
    assert urgency.classify("production is down", sla_due="2027-06-01T00:00:00Z", now=NOW).value == "urgent"
    assert urgency.due_in("2027-01-15T08:00:00Z", now=NOW) is not None and urgency.due_in("soon") is None


@pytest.mark.parametrize(
    "text",
    [
        "Can I talk to a human please?",
        "I want to speak with a real person",
        "Ich möchte mit einem Menschen sprechen",
        "Je veux parler à un humain",
        "Quiero hablar con una persona",
        "vorrei parlare con un operatore",
        "quero falar com um atendente",
    ],
)
def test_asking_for_a_person_in_several_languages(text):
    assert handoff.asks_for_human(text)


def test_handoff_rules_in_order():
    config = HandoffConfig(max_bot_turns=2)
    calm, sure = Label("neutral", 1.0), Label("billing", 0.9)
    assert handoff.decide("refund please", sentiment=calm, category=sure, bot_turns=0, config=config) is None
    angry = Label("negative", 0.8)
    assert (
        handoff.decide("x", sentiment=angry, category=sure, bot_turns=0, config=config).reason
        == "negative_sentiment"
    )
    assert (
        handoff.decide("x", sentiment=calm, category=sure, bot_turns=2, config=config).reason == "no_progress"
    )
    unsure = Label("other", 0.02)
    assert (
        handoff.decide("x", sentiment=calm, category=unsure, bot_turns=0, config=config).reason
        == "low_confidence"
    )
    assert not handoff.asks_for_human("the person on the invoice is wrong")


def test_draft_outcome_by_similarity():
    draft = "Hello <PERSON_1>, we have refunded the second charge on your invoice."
    config = DraftConfig()
    assert (
        outcome.judge(draft, draft + "\n\n— Switchboard bot (ref sb-0123456789ab)", config)[0] == "sent_as_is"
    )
    edited = "Hi <PERSON_1>, we have refunded the duplicate charge on your invoice today. Sorry!"
    assert outcome.judge(draft, edited, config)[0] == "edited"
    assert outcome.judge(draft, "Closing as duplicate of #4411.", config)[0] == "discarded"


def test_tags_are_safe_for_every_vendor():
    assert tag("category", "Billing & Refunds") == "sb_category__billing_refunds"


def test_config_per_hook_and_clear_errors():
    settings = HelpdeskSettings(
        {"handoff": {"group": "1"}, "hooks": {"freshdesk": {"handoff": {"group": "42"}}}}
    )
    assert settings.for_adapter("zendesk").handoff.group == "1"
    assert settings.for_adapter("freshdesk").handoff.group == "42"
    assert settings.for_adapter("freshdesk").handoff.max_bot_turns == 3  # merged, not replaced
    with pytest.raises(ConfigError, match=r"helpdesk\.handof"):
        HelpdeskSettings({"handof": {}})
    with pytest.raises(ConfigError, match="are not categories"):
        HelpdeskSettings({"auto_reply": {"intents": ["weather"]}})


def test_switchboard_check_names_a_misspelt_helpdesk_key(tmp_path):
    from bots.cli import check_all

    bot = tmp_path / "desk.toml"
    bot.write_text(
        'skills = ["skills.helpdesk.skill", "skills.fallback"]\n[model]\nbackend = "none"\n'
        '[helpdesk.hooks.zendesk]\nhandof = { group = "1" }\n',
        encoding="utf-8",
    )
    problems = check_all({"SWITCHBOARD_BOT": str(bot)})
    assert any("helpdesk.hooks.zendesk.handof" in p and "desk.toml" in p for p in problems), problems
