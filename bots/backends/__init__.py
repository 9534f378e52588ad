"""Worker-side model backends. Only `switchboard worker` imports these; the hub never does.

`load_engine(spec)` returns a loaded model that `core.model.jobs.generate` can stream from.
"""

from __future__ import annotations

import logging

from core.model.config import ModelSpec
from core.model.errors import BackendUnavailableError
from core.model.jobs import Engine

log = logging.getLogger(__name__)


def load_engine(spec: ModelSpec) -> Engine:
    """Load the model `spec` describes, once. Raises a ModelUnavailableError with a clear fix."""
    if spec.backend == "ctransformers":
        from bots.backends.ctransformers_backend import CTransformersEngine

        return CTransformersEngine.load(spec)
    if spec.backend == "llama_cpp":
        from bots.backends.llama_cpp_backend import LlamaCppEngine

        return LlamaCppEngine.load(spec)
    if spec.backend == "openai":
        from bots.backends.openai_backend import OpenAIEngine

        return OpenAIEngine.load(spec)
    raise BackendUnavailableError(f"model {spec.name!r} has no backend (set [model] backend)")
