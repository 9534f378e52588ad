"""The analyzer, loaded once per process on a background thread and called off the event loop.

Texts that arrive together (concurrent turns, a batch of CLI lines) are analysed in one spaCy
pass. Every call has a time limit: a failure or a timeout raises MaskingError (fail closed)."""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from core.errors import MaskingError
from core.pii.config import PiiConfig
from core.pii.spans import Span

log = logging.getLogger(__name__)

_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pii-analyzer")
_LOADED: dict[str, Future[Any]] = {}
_LOCK = threading.Lock()
LOAD_TIMEOUT_S = 120.0
MAX_BATCH = 64


def load(model_name: str) -> Future[Any]:
    """Start loading the analyzer for `model_name` (once per process); returns its future."""
    with _LOCK:
        future = _LOADED.get(model_name)
        if future is None or (future.done() and future.exception() is not None):
            future = _EXECUTOR.submit(_build, model_name)
            _LOADED[model_name] = future
        return future


def _build(model_name: str) -> Any:
    from core.pii.engine import Analyzer  # presidio and spaCy load here, on the worker thread

    return Analyzer(model_name)


class AnalyzerService:
    """Async front of one loaded analyzer. Create it on the loop that will use it."""

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name
        self._analyzer = load(model_name)
        self._pending: list[tuple[str, PiiConfig, asyncio.Future[list[Span]]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def ready(self) -> tuple[bool, str]:
        if not self._analyzer.done():
            return False, f"loading spaCy model {self.model_name}"
        error = self._analyzer.exception()
        if error is not None:
            return False, f"failed to load ({type(error).__name__}: {error})"
        return True, "ok"

    async def loaded(self) -> None:
        """Wait until the model is loaded; raises what loading raised (e.g. ConfigError)."""
        await asyncio.wrap_future(self._analyzer)

    async def analyze(self, text: str, config: PiiConfig) -> list[Span]:
        try:  # the first turns after start wait for the model; that wait has its own limit
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._analyzer)), LOAD_TIMEOUT_S)
        except Exception as exc:  # noqa: BLE001
            raise MaskingError(f"PII analyzer is not available ({type(exc).__name__})") from None
        loop = asyncio.get_running_loop()
        result: asyncio.Future[list[Span]] = loop.create_future()
        self._pending.append((text, config, result))
        if self._drainer is None or self._drainer.done():
            self._drainer = loop.create_task(self._drain())
        try:
            return await asyncio.wait_for(asyncio.shield(result), config.timeout_seconds)
        except TimeoutError:
            raise MaskingError(f"PII analysis took longer than {config.timeout_seconds:g} s") from None

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:  # at most MAX_BATCH texts a pass: the first ones are not held up
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                analyzer = self._analyzer.result()
                items = [(text, config) for text, config, _ in batch]
                outcomes = await loop.run_in_executor(_EXECUTOR, _analyze_isolated, analyzer, items)
            except Exception as exc:  # noqa: BLE001 — every waiter gets a MaskingError
                outcomes = [exc] * len(batch)
            for (_text, _config, waiter), outcome in zip(batch, outcomes, strict=True):
                if waiter.done():
                    continue
                if isinstance(outcome, BaseException):
                    log.error("PII analysis failed: %s", type(outcome).__name__)
                    waiter.set_exception(MaskingError(f"PII analysis failed ({type(outcome).__name__})"))
                else:
                    waiter.set_result(outcome)


def _analyze_isolated(analyzer: Any, items: list[tuple[str, PiiConfig]]) -> list[list[Span] | Exception]:
    """One pass over the batch; when it fails, each text alone, so that one text the analyzer
    cannot handle (a lone surrogate...) fails only its own turn."""
    try:
        return list(analyzer.analyze_many(items))
    except Exception:  # noqa: BLE001
        if len(items) == 1:
            raise
    outcomes: list[list[Span] | Exception] = []
    for item in items:
        try:
            outcomes.append(analyzer.analyze_many([item])[0])
        except Exception as exc:  # noqa: BLE001
            outcomes.append(exc)
    return outcomes
