"""What the hub and the worker agree on: Redis names, the job payload, the result messages.

The job payload holds masked text only (it is kept in RQ's registries). Results come back on
one durable stream read by a consumer group that every hub replica joins.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

JOB_FUNCTION = "core.model.jobs.generate"
FAILURE_CALLBACK = "core.model.jobs.report_failure"
PAYLOAD_VERSION = 1
CONSUMER_GROUP = "hubs"
PARTIAL_INTERVAL_S = 0.15  # a stream's pace when its adapter names none
# Priority lanes of one model's queue, in the order workers take jobs from them; "" is the
# normal lane (its name has no suffix). Helpdesk tickets close to their SLA go to the first two.
LANES = ("urgent", "high", "")


@dataclass(frozen=True, slots=True)
class ModelKeys:
    """Every Redis name the model path uses, under the deployment's key prefix."""

    prefix: str = "sb"

    def queue(self, model: str, lane: str = "") -> str:
        """The RQ queue name for one model and lane (RQ adds its own `rq:queue:` prefix)."""
        return f"{self.prefix}-model-{model}" + (f"-{lane}" if lane else "")

    def queues(self, model: str) -> list[str]:
        """Every lane's queue of one model, the most urgent first (what a worker listens to)."""
        return [self.queue(model, lane) for lane in LANES]

    @property
    def results(self) -> str:
        return f"{self.prefix}:model:results"

    def pending(self, job_id: str) -> str:
        return f"{self.prefix}:model:pending:{job_id}"

    @property
    def inflight(self) -> str:
        """Sorted set: job id -> deadline (epoch seconds)."""
        return f"{self.prefix}:model:inflight"

    def lease(self, job_id: str) -> str:
        return f"{self.prefix}:model:lease:{job_id}"

    def claim(self, job_id: str) -> str:
        return f"{self.prefix}:model:claim:{job_id}"

    def stream(self, job_id: str) -> str:
        """Which hub replica shows a streamed answer (its owner; a lease with a TTL)."""
        return f"{self.prefix}:model:stream:{job_id}"

    def cancel(self, job_id: str) -> str:
        """Set when the person stopped the answer: the worker ends the job at its next check."""
        return f"{self.prefix}:model:cancel:{job_id}"

    def conversation_seq(self, conversation: str) -> str:
        return f"{self.prefix}:model:seq:{conversation}"

    def conversation_done(self, conversation: str) -> str:
        return f"{self.prefix}:model:done:{conversation}"

    def conversation_jobs(self, conversation: str) -> str:
        return f"{self.prefix}:model:jobs:{conversation}"

    def worker(self, name: str) -> str:
        return f"{self.prefix}:model:worker:{name}"

    @property
    def workers(self) -> str:
        """Set of worker names that announced themselves (their heartbeat key may be gone)."""
        return f"{self.prefix}:model:workers"

    def active_model(self, bot: str) -> str:
        return f"{self.prefix}:{bot}:model:active"

    def first_token_ms(self, model: str) -> str:
        return f"{self.prefix}:model:ttft:{model}"

    def cache(self, digest: str) -> str:
        return f"{self.prefix}:model:cache:{digest}"

    @property
    def sweep_lock(self) -> str:
        return f"{self.prefix}:model:sweep-lock"

    @property
    def dead_letters(self) -> str:
        """List (newest first) of poison jobs: masked payloads of jobs that killed workers."""
        return f"{self.prefix}:model:dead-letters"


def lease_value(worker: str, started: float) -> str:
    """What a running job's lease holds: the worker's name and when the job started."""
    return f"{worker}|{started:.3f}"


def parse_lease(value: str) -> tuple[str, float | None]:
    worker, _, started = value.partition("|")
    try:
        return worker, float(started)
    except ValueError:
        return worker, None


@dataclass(frozen=True, slots=True)
class JobRequest:
    """One generation. `prompt`, `system` and `history` texts are masked."""

    job_id: str
    model: str
    prompt: str = field(repr=False)
    system: str = field(default="", repr=False)
    history: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (role, text), oldest first
    max_tokens: int = 256
    temperature: float = 0.7
    stream: bool = True
    partial_interval_s: float = PARTIAL_INTERVAL_S  # the adapter's pace: one partial per interval
    results: str = "sb:model:results"
    lease: str = "sb:model:lease:-"
    cancel: str = ""  # the job's cancel flag (ModelKeys.cancel); "" in payloads from before /stop
    timeout_s: float = 120.0
    attempt: int = 1
    cache_key: str = ""
    cache_ttl_s: int = 0
    enqueued_at: float = 0.0  # epoch seconds, for the hand-off measurement
    lane: str = ""  # one of LANES: "urgent" and "high" are served before the normal lane

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["history"] = [list(item) for item in self.history]
        data["v"] = PAYLOAD_VERSION
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> JobRequest:
        if data.get("v") != PAYLOAD_VERSION:
            raise ValueError(f"unsupported job payload version {data.get('v')!r}")
        fields = {k: v for k, v in data.items() if k != "v"}
        fields["history"] = tuple((str(r), str(t)) for r, t in fields.get("history", ()))
        return cls(**fields)

    def messages(self) -> list[tuple[str, str]]:
        """(role, text) for the whole conversation, system first, this prompt last."""
        head = [("system", self.system)] if self.system else []
        return [*head, *self.history, ("user", self.prompt)]


class Kind:
    """The `kind` field of a result-stream entry."""

    STARTED = "started"
    PARTIAL = "partial"  # text so far (grows)
    FINAL = "final"  # `stopped=1` when the person stopped it: the text is what was made so far
    FAILED = "failed"  # reason: "timeout" | "error" | "unavailable" | "poison"


def history_from_memory(rows: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    """Conversation memory rows -> (role, text) pairs, without the current message."""
    return tuple((row.get("role", "user"), row.get("text", "")) for row in rows if row.get("text"))


def with_footer(answer: str, footer: str) -> str:
    """The model's answer with the skill's footer (e.g. its sources) under it."""
    return f"{answer.rstrip()}\n\n{footer}" if footer else answer
