"""`switchboard worker` with faults on cue, for fault tests: the real worker process, real
Redis, a real model — only the trigger is injected.

    python -m tests.model.faulty_worker worker --bot BOT.toml

A prompt containing CRASH kills the process with SIGSEGV (as the tokenizer overflow did); one
containing HANG blocks the job in a call no signal interrupts (SIGALRM is blocked, as in
native code that never returns); one containing SLOW answers after a pause.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import Any

import bots.backends
from bots.cli import main
from core.model.contract import JobRequest

CRASH = "\u2620crash-now"
HANG = "\u231bhang-now"
SLOW = "\u23f3slow-now"  # waits SLOW_S before it answers: a job still running during an outage
SLOW_S = float(os.environ.get("SWITCHBOARD_FAULTY_SLOW_S", "3"))  # a test that needs longer sets it

_real_load = bots.backends.load_engine


def _load_with_faults(spec: Any) -> Any:
    engine = _real_load(spec)
    stream = engine.stream

    def faulty(request: JobRequest) -> Iterator[str]:
        if CRASH in request.prompt:
            os.kill(os.getpid(), signal.SIGSEGV)
        if HANG in request.prompt:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            while True:
                time.sleep(3600)
        if SLOW in request.prompt:
            time.sleep(SLOW_S)
        return stream(request)

    engine.stream = faulty
    return engine


bots.backends.load_engine = _load_with_faults

if __name__ == "__main__":
    sys.exit(main())
