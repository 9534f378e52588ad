"""With PII masking on, through the full hub (real stages, presidio, Redis): what is not personal
reaches the model and the skills intact; what is personal is masked in Redis and restored for
the person who wrote it."""

from __future__ import annotations

import asyncio
import dataclasses

from tests.model.test_queue import everything_in_redis
from tests.pii.conftest import PII_BOT, StandInModel


async def test_a_country_in_a_question_reaches_the_model_intact(hubkit, masker):
    model = StandInModel(masker, lambda prompt: "Paris.")
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    await chat.say("What is the capital of France?")
    assert model.prompts == ["What is the capital of France?"]
    assert chat.last() == "Paris."


async def test_the_readme_example_skill_matches_a_city(hubkit, masker):
    bot = {**PII_BOT, "skills": ["skills.help", "tests.pii.weather_skill", "tests.pii.ask_skill"]}
    model = StandInModel(masker)
    _assembly, chat = await hubkit.build(masker=masker, model=model, **bot)
    await chat.say("forecast for Paris")
    assert chat.last() == "Forecast for Paris: sunny, 21 °C"
    assert model.prompts == []  # the pattern matched: nothing fell through to the model


async def test_a_name_and_email_are_masked_in_redis_and_restored_for_their_owner(hubkit, masker, redis_url):
    model = StandInModel(masker, lambda prompt: f"Noted: {prompt}")
    _assembly, chat = await hubkit.build(masker=masker, model=model, **PII_BOT)
    said = chat.event("My name is Ann Smith, email ann@example.com", user="ann")
    await asyncio.wait_for(chat.receive(dataclasses.replace(said, is_direct=True)), timeout=10)
    assert model.prompts == ["My name is <PERSON_1>, email <EMAIL_ADDRESS_1>"]
    assert chat.last() == "Noted: My name is Ann Smith, email ann@example.com"
    stored = everything_in_redis(redis_url)
    assert b"Ann" not in stored and b"ann@example.com" not in stored
    assert b"<PERSON_1>" in stored  # the conversation memory holds the placeholders
