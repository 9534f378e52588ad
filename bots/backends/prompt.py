"""Chat prompts as token ids, cut to fit the context: system prompt first, then the newest turns.

The old tokenizer inside ctransformers does not recognise special tokens written in text, so
ChatML markers are inserted as ids around separately tokenized parts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

Tokenize = Callable[[str], list[int]]


@dataclass(frozen=True, slots=True)
class Block:
    """One message: `head` and `tail` are markers that are never cut; `body` may be."""

    head: tuple[int, ...]
    body: tuple[int, ...]
    tail: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.head) + len(self.body) + len(self.tail)

    def ids(self) -> list[int]:
        return [*self.head, *self.body, *self.tail]

    def keep_last(self, room: int) -> Block:
        """This block cut to `room` tokens by dropping the start of its body."""
        body_room = max(room - len(self.head) - len(self.tail), 0)
        return Block(self.head, self.body[len(self.body) - body_room :] if body_room else (), self.tail)


def fit(system: Block | None, turns: Sequence[Block], suffix: Sequence[int], budget: int) -> list[int]:
    """system + the newest turns that fit + suffix, in at most `budget` tokens.

    The system prompt keeps at most half the room; the newest turn is always kept, cut from
    its start when it alone is too long; older turns are dropped whole."""
    room = budget - len(suffix)
    ids: list[int] = []
    if system is not None:
        sys_block = system if len(system) <= room // 2 else system.keep_last(room // 2)
        ids = sys_block.ids()
        room -= len(sys_block)
    kept: list[Block] = []
    for block in reversed(turns):
        if len(block) <= room:
            kept.append(block)
            room -= len(block)
        elif not kept:
            kept.append(block.keep_last(room))
            room = 0
        else:
            break
    for block in reversed(kept):
        ids.extend(block.ids())
    return ids + list(suffix)


def chatml(
    tokenize: Tokenize, start: int, end: int, messages: Sequence[tuple[str, str]], budget: int
) -> list[int]:
    """ChatML: <|im_start|>role\\ntext<|im_end|>\\n ... <|im_start|>assistant\\n."""
    newline = tuple(tokenize("\n"))

    def block(role: str, text: str) -> Block:
        return Block((start, *tokenize(f"{role}\n")), tuple(tokenize(text)), (end, *newline))

    return _assemble(block, messages, (start, *tokenize("assistant\n")), budget)


def plain(tokenize: Tokenize, messages: Sequence[tuple[str, str]], budget: int) -> list[int]:
    """For models without a chat format: `Role: text` lines, then `Assistant:`."""

    def block(role: str, text: str) -> Block:
        return Block(tuple(tokenize(f"{role.capitalize()}: ")), tuple(tokenize(text)), tuple(tokenize("\n")))

    return _assemble(block, messages, tuple(tokenize("Assistant:")), budget)


def _assemble(
    block: Callable[[str, str], Block],
    messages: Sequence[tuple[str, str]],
    suffix: tuple[int, ...],
    budget: int,
) -> list[int]:
    system = None
    rest = list(messages)
    if rest and rest[0][0] == "system":
        system = block(*rest.pop(0))
    return fit(system, [block(role, text) for role, text in rest], suffix, budget)
