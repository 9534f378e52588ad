"""A skill that answers with the kind of Markdown (and hostile HTML) a model writes."""

from __future__ import annotations

from core.skills import SkillContext, SkillResult, skill

ANSWER = """Here is **the plan**, with `code`:

- first <img src=x onerror="window.__pwned=1">
- second, see [the docs](https://example.com/docs) and [this](javascript:window.__pwned=2)

1. one
2. two

```python
print("<script>window.__pwned=3</script>")
```

<script>window.__pwned=4</script> *done*"""


@skill("markdown", commands=["markdown"])
async def markdown(ctx: SkillContext) -> SkillResult:
    return ctx.reply(ANSWER)
