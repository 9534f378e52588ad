"""The question set of the knowledge benchmark, over the sample folder (the README split into
pages). Questions are made from template families × topics; the families are split into a
tuning part and a held-out part, so no held-out question shares its phrasing with the questions
the ranking was tuned on. Out-of-scope topics (nothing in the documents) go through the same
families: the bot should decline them without a model call."""

from __future__ import annotations

from dataclasses import dataclass

# family name -> (template, slot): slot "task" takes a verb phrase, "noun" a noun phrase
TUNING = {
    "how-do-i": ("how do I {task}?", "task"),
    "keywords": ("{noun}", "noun"),
    "read-about": ("where can I read about {noun}?", "noun"),
    "explain": ("can you explain {noun}?", "noun"),
}
HELD_OUT = {
    "whats-the-way": ("what's the way to {task}", "task"),
    "need-help": ("I need help with {noun}, where do I start?", "noun"),
    "possible": ("is it possible to {task}?", "task"),
    "steps": ("steps to {task} please", "task"),
}


@dataclass(frozen=True, slots=True)
class Topic:
    task: str
    noun: str
    links: tuple[str, ...]  # acceptable sections, best first; empty: out of scope


def _readme(*anchors: str) -> tuple[str, ...]:
    return tuple(f"README.md#{a}" for a in anchors)


TOPICS = (
    Topic("connect Slack", "the Slack integration", _readme("slack")),
    Topic("run the Slack app without a public URL", "Slack socket mode", _readme("slack")),
    Topic("add the bot to a Discord server", "the Discord interactions endpoint", _readme("discord")),
    Topic("talk to the bot on Telegram", "Telegram support", _readme("telegram")),
    Topic("hook up Zendesk", "helpdesk webhooks for Freshdesk or Zammad", _readme("helpdesks")),
    Topic(
        "build my own chat front end",
        "the WebSocket protocol for a custom client",
        _readme("your-own-front-end"),
    ),
    Topic(
        "switch to a bigger model served by vLLM",
        "an OpenAI-compatible model server",
        _readme("plug-in-a-bigger-model"),
    ),
    Topic("load a local GGUF file on a GPU", "GGUF model files", _readme("plug-in-a-bigger-model")),
    Topic(
        "run several models weighted at once",
        "switching models at run time",
        _readme("plug-in-a-bigger-model"),
    ),
    Topic("deploy it with docker compose", "the Docker images", _readme("deploy")),
    Topic("run more hub replicas behind a load balancer", "scaling replicas", _readme("deploy")),
    Topic("scale GPU workers on Kubernetes", "Kubernetes and KEDA", _readme("deploy")),
    Topic("install it and start it the first time", "the quick start with make run", _readme("quick-start")),
    Topic("change the port the hub listens on", "the HTTP port", _readme("quick-start")),
    Topic("send a message through the REST API", "the REST API bearer token", _readme("talk-to-it")),
    Topic("open the admin dashboard", "the admin dashboard", _readme("talk-to-it")),
    Topic("make myself an admin of the bot", "admins and whoami", _readme("talk-to-it")),
    Topic("run the test suite", "linting with ruff and mypy", _readme("develop")),
    Topic(
        "keep personal data out of the model",
        "PII masking of names and e-mails",
        _readme("configure-and-extend"),
    ),
    Topic("write a skill of my own", "custom skills", _readme("configure-and-extend")),
    Topic(
        "answer questions from my own documents",
        "answers from documents with sources",
        _readme("configure-and-extend"),
    ),
    Topic("find out which platforms it speaks", "the supported chat platforms", _readme("switchboard")),
)

OUT_OF_SCOPE = (
    Topic("book a flight to Rome", "cheap flights to Rome", ()),
    Topic("bake sourdough bread", "sourdough starters", ()),
    Topic("fix a leaking kitchen faucet", "plumbing repairs", ()),
    Topic("learn to play the guitar", "guitar chords", ()),
    Topic("check tomorrow's weather in Lisbon", "the weather forecast for Lisbon", ()),
    Topic("file my income tax return", "income tax deductions", ()),
    Topic("train for a marathon", "marathon training plans", ()),
    Topic("grow tomatoes on a balcony", "tomato fertiliser", ()),
)


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    family: str
    held_out: bool
    links: tuple[str, ...]


def questions() -> list[Question]:
    found = []
    for held_out, families in ((False, TUNING), (True, HELD_OUT)):
        for family, (template, slot) in families.items():
            for topic in (*TOPICS, *OUT_OF_SCOPE):
                text = template.format(**{slot: getattr(topic, slot)})
                found.append(Question(text[:1].upper() + text[1:], family, held_out, topic.links))
    return found
