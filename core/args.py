"""Typed command arguments: a skill declares a dataclass, the dispatch parses the words after
the command into it, and a missing or invalid argument gets a usage reply (the skill never runs).

    @dataclass
    class KbArgs:
        action: Literal["search", "stats"]
        terms: str = ""          # the last `str` field takes the rest of the line

Field types: `str`, `int`, `float`, `bool` (yes/no, true/false, on/off) and `Literal[...]` of
strings (a choice). A field with a default is optional. Only the last field may be a rest-of-line
`str`; earlier `str` fields take one word.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any, Literal, get_args, get_origin

from core.errors import SwitchboardError

_TRUE = {"yes", "true", "on", "1"}
_FALSE = {"no", "false", "off", "0"}


class ArgsError(SwitchboardError):
    """The words after a command do not fit the skill's arguments. The message is for the person."""


@dataclasses.dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: Callable[[str], Any] | None  # None: a choice
    choices: tuple[str, ...] = ()
    required: bool = True
    rest: bool = False

    @property
    def label(self) -> str:
        shown = "|".join(self.choices) if self.choices else self.name
        shown = f"<{shown}>"
        return shown if self.required else f"[{shown}]"


def params_of(spec: type) -> tuple[Param, ...]:
    """The parameters of an arguments dataclass; a TypeError names what is not supported."""
    if not dataclasses.is_dataclass(spec):
        raise TypeError(f"args={spec!r} must be a dataclass")
    hints = typing.get_type_hints(spec)
    fields = dataclasses.fields(spec)
    params = []
    for index, item in enumerate(fields):
        hint = hints[item.name]
        required = item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        if get_origin(hint) is Literal:
            choices = tuple(str(c) for c in get_args(hint))
            params.append(Param(item.name, None, choices, required))
        elif hint in (str, int, float, bool):
            rest = hint is str and index == len(fields) - 1
            params.append(Param(item.name, _convert(hint), (), required, rest))
        else:
            raise TypeError(f"{spec.__name__}.{item.name}: use str, int, float, bool or Literal[...]")
    return tuple(params)


def _convert(hint: type) -> Callable[[str], Any]:
    if hint is bool:
        return _boolean
    return hint


def _boolean(word: str) -> bool:
    if word.lower() in _TRUE:
        return True
    if word.lower() in _FALSE:
        return False
    raise ValueError(word)


def usage_of(command: str, spec: type) -> str:
    """`/kb <search|stats> [<terms>]`."""
    return " ".join([f"/{command}", *(p.label for p in params_of(spec))])


def parse_args(spec: type, text: str) -> Any:
    """An instance of `spec` from the text after the command, or ArgsError saying what is wrong."""
    params = params_of(spec)
    rest = text.strip()
    values: dict[str, Any] = {}
    for param in params:
        if not rest:
            if param.required:
                raise ArgsError(f"missing <{param.name}>")
            continue
        if param.rest:
            word, rest = rest, ""
        else:
            word, _, rest = rest.partition(" ")
            rest = rest.strip()
        values[param.name] = _value(param, word)
    if rest:
        raise ArgsError(f"too many words (unexpected {rest.split()[0]!r})")
    return spec(**values)


def _value(param: Param, word: str) -> Any:
    if param.kind is None:
        if word.lower() not in param.choices:
            raise ArgsError(f"<{param.name}> must be one of {', '.join(param.choices)}, not {word!r}")
        return word.lower()
    try:
        return param.kind(word)
    except ValueError:
        wanted = {int: "a whole number", float: "a number", _boolean: "yes or no"}.get(param.kind, "text")
        raise ArgsError(f"<{param.name}> must be {wanted}, not {word!r}") from None
