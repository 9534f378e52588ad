"""The `[model]` section of a bot definition, plus `SWITCHBOARD_MODEL_*` overrides.

One model is written inline (`backend`, `name`, `path`, ...). Several are listed under
`[[model.models]]` with weights; each entry inherits the inline values it does not set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.errors import ConfigError

Backend = Literal["none", "ctransformers", "llama_cpp", "openai"]
Device = Literal["auto", "cpu", "gpu"]
BUILTIN_SMOLLM2 = "builtin:smollm2"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelSpec(_Strict):
    """How one model is loaded and served. Worker machines serve the models they are started for."""

    name: str = Field("", pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    backend: Backend | None = None
    path: str = Field("", description="local GGUF/GGML file, or 'builtin:smollm2'")
    repo: str = Field("", description="Hugging Face repo id (ctransformers downloads it)")
    model_file: str = Field("", description="file inside `repo`")
    model_type: str = Field("", description="ctransformers model type; empty: guess from the file")
    remote_model: str = Field("", description="model name sent to an OpenAI-compatible server")
    base_url: str = Field("", description="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1")
    weight: int = Field(1, ge=0, le=1000, description="share of traffic when several models are listed")
    device: Device | None = None
    gpu_layers: int | None = Field(None, ge=0, le=1000)
    threads: int | None = Field(None, ge=0, le=256, description="0: one per CPU core")
    context: int | None = Field(None, ge=64, le=131_072)


class ModelConfig(_Strict):
    """Which model answers free text. `backend = "none"`: no model configured."""

    backend: Backend = "none"
    name: str = ""
    path: str = ""
    repo: str = ""
    model_file: str = ""
    model_type: str = ""
    remote_model: str = ""
    base_url: str = ""
    device: Device = "auto"
    gpu_layers: int = Field(50, ge=0, le=1000, description="layers offloaded when a GPU is used")
    threads: int = Field(0, ge=0, le=256)
    context: int = Field(2048, ge=64, le=131_072)
    models: list[ModelSpec] = Field(default_factory=list)
    max_tokens: int = Field(256, ge=1, le=8192)
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    stream: bool = True
    edit_interval_ms: int = Field(
        700, ge=50, le=60_000, description="ignored: each adapter paces its streams (edit_interval_s)"
    )  # kept so that bot files which set it still load
    job_timeout_s: int = Field(120, ge=1, le=3600, description="longest one generation may run")
    wait_timeout_s: int = Field(600, ge=1, le=86_400, description="longest a person waits, queue included")
    busy_depth: int = Field(8, ge=0, le=100_000, description="queue length from which people get a notice")
    max_queue: int = Field(
        200, ge=1, le=1_000_000, description="queue length from which requests are refused"
    )
    first_token_ms: int = Field(0, ge=0, description="latency ceiling; 0: none")
    cache_ttl_s: int = Field(0, ge=0, le=30 * 86_400, description="answer cache TTL; 0: off")
    retries: int = Field(2, ge=0, le=10, description="re-runs of a job whose worker died")

    @model_validator(mode="after")
    def _named_models(self) -> ModelConfig:
        if self.backend == "none" and self.models:
            raise ValueError("set model.backend (the default backend of the listed models)")
        names = [spec.name for spec in self.models]
        if any(not n for n in names):
            raise ValueError("every [[model.models]] entry needs a name")
        if len(set(names)) != len(names):
            raise ValueError(f"model names must be unique, got {names}")
        return self

    @property
    def enabled(self) -> bool:
        return self.backend != "none"

    def specs(self) -> list[ModelSpec]:
        """Every model of the bot, with inherited values filled in."""
        base = ModelSpec(
            name=self.name or "default",
            backend=self.backend,
            path=self.path,
            repo=self.repo,
            model_file=self.model_file,
            model_type=self.model_type,
            remote_model=self.remote_model,
            base_url=self.base_url,
            device=self.device,
            gpu_layers=self.gpu_layers,
            threads=self.threads,
            context=self.context,
        )
        if not self.models:
            return [base] if self.enabled else []
        inherited = base.model_dump()
        return [
            ModelSpec(**{**inherited, **spec.model_dump(exclude_unset=True), "name": spec.name})
            for spec in self.models
        ]

    def spec(self, name: str) -> ModelSpec:
        for candidate in self.specs():
            if candidate.name == name:
                return candidate
        known = [s.name for s in self.specs()]
        raise ConfigError(f"no model named {name!r}; this bot has {known}", source="model")


ENV_FIELDS = {
    "SWITCHBOARD_MODEL_BACKEND": "backend",
    "SWITCHBOARD_MODEL_NAME": "name",
    "SWITCHBOARD_MODEL_PATH": "path",
    "SWITCHBOARD_MODEL_REPO": "repo",
    "SWITCHBOARD_MODEL_FILE": "model_file",
    "SWITCHBOARD_MODEL_TYPE": "model_type",
    "SWITCHBOARD_MODEL_BASE_URL": "base_url",
    "SWITCHBOARD_MODEL_REMOTE_NAME": "remote_model",
    "SWITCHBOARD_MODEL_DEVICE": "device",
    "SWITCHBOARD_MODEL_GPU_LAYERS": "gpu_layers",
    "SWITCHBOARD_MODEL_THREADS": "threads",
    "SWITCHBOARD_MODEL_CONTEXT": "context",
    "SWITCHBOARD_MODEL_TIMEOUT": "job_timeout_s",
}


def with_env(config: ModelConfig, env: Mapping[str, str]) -> ModelConfig:
    """Apply `SWITCHBOARD_MODEL_*` overrides (deployment beats definition)."""
    changes = {field: env[key] for key, field in ENV_FIELDS.items() if env.get(key)}
    if not changes:
        return config
    try:
        return ModelConfig.model_validate({**config.model_dump(exclude_unset=True), **changes})
    except ValidationError as exc:
        raise ConfigError(_env_problems(exc, env), source="environment") from None


def _env_problems(exc: ValidationError, env: Mapping[str, str]) -> list[str]:
    """One line per bad override: the variable, its value, what is wrong and what would do."""
    by_field = {field: key for key, field in ENV_FIELDS.items()}
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        key = by_field.get(field)
        if key is None:  # a whole-section rule; name every override given
            key = ", ".join(k for k in ENV_FIELDS if env.get(k))
            problems.append(f"{key}: {error['msg']} — fix: change or unset these variables")
            continue
        ctx = error.get("ctx") or {}
        if error["type"] == "literal_error":
            fix = f"use one of {ctx.get('expected')}"
        elif "ge" in ctx or "le" in ctx:
            low, high = ctx.get("ge"), ctx.get("le")
            fix = f"use a value of {low} or more" if high is None else f"use {low or 0} to {high}"
        else:
            fix = "correct it or unset it to keep the bot definition's value"
        problems.append(f"{key}={env.get(key, '')!r}: {error['msg']} — fix: {fix}")
    return problems
