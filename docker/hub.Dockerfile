# The Switchboard hub: web chat, REST API, platform adapters, /healthz /readyz /metrics on one port.
# Build from the repository root:  docker build -f docker/hub.Dockerfile -t switchboard-hub .
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
RUN pip install ".[names]" \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard

USER switchboard
# Listen on every interface inside the container; publish the port deliberately.
ENV SWITCHBOARD_HTTP_HOST=0.0.0.0 \
    SWITCHBOARD_HTTP_PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SWITCHBOARD_HTTP_PORT', '8080'), timeout=2)"]

# SIGTERM (docker stop) finishes turns in flight, rejects new ones, then exits 0.
STOPSIGNAL SIGTERM
CMD ["switchboard", "run"]
