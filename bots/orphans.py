"""Children that die with their parent: the private Redis and the supervised model workers get
a parent-death signal (Linux `prctl(PR_SET_PDEATHSIG)`), so even a SIGKILL of the hub leaves no
process behind. The signal is tied to the thread that forks, so spawn from the event-loop
(main) thread, never from a pool thread that may exit first."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: signal.Signals = signal.SIGTERM) -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive `sig` when this process dies (None off Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def arm() -> None:
        libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:  # the parent died between fork and prctl
            os._exit(1)

    return arm
