"""Typed command arguments (core.args): what parses, what gets which message, what fails at load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from core.args import ArgsError, parse_args, usage_of
from core.events import reply_to
from core.skills import AskModel, Results, skill
from tests.fakes import FakeAdapter


@dataclass
class KbArgs:
    action: Literal["search", "stats"]
    terms: str = ""


@dataclass
class RemindArgs:
    minutes: int
    loud: bool = False
    ratio: float = 1.0


def test_choice_then_rest_of_line():
    parsed = parse_args(KbArgs, "search  how do I connect   Slack ")
    assert parsed == KbArgs("search", "how do I connect   Slack")
    assert parse_args(KbArgs, "STATS") == KbArgs("stats", "")
    assert usage_of("kb", KbArgs) == "/kb <search|stats> [<terms>]"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "missing <action>"),
        ("find x", "<action> must be one of search, stats, not 'find'"),
    ],
)
def test_choice_errors(text, message):
    with pytest.raises(ArgsError, match=message):
        parse_args(KbArgs, text)


def test_numbers_and_yes_no():
    assert parse_args(RemindArgs, "5 yes 0.5") == RemindArgs(5, True, 0.5)
    assert usage_of("remind", RemindArgs) == "/remind <minutes> [<loud>] [<ratio>]"
    with pytest.raises(ArgsError, match="<loud> must be yes or no, not 'maybe'"):
        parse_args(RemindArgs, "5 maybe")
    with pytest.raises(ArgsError, match="too many words"):
        parse_args(RemindArgs, "5 no 1 extra")


def test_an_unsupported_field_type_fails_when_the_skill_is_declared():
    @dataclass
    class Bad:
        when: list[str]

    with pytest.raises(TypeError, match=r"Bad\.when: use str, int, float, bool or Literal"):
        skill("bad", commands=["bad"], args=Bad)


def test_results_take_one_model_request_and_only_last():
    reply = reply_to(FakeAdapter().event("hi"), "ok")
    assert Results((reply, AskModel(prompt="p"))).ask is not None
    with pytest.raises(ValueError, match="at most one AskModel"):
        Results((AskModel(prompt="p"), reply))
