# The Switchboard hub: web chat, REST API, platform adapters, /healthz /readyz /metrics on one port.
# No model library is installed here (extra `hub`): model work goes to the workers through Redis.
# Build from the repository root:  docker build -f docker/hub.Dockerfile -t switchboard-hub .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini runs as PID 1: it forwards SIGTERM to switchboard (a PID 1 without handlers ignores it)
# and reaps zombies. The runtime user owns its home and the directories the code writes to:
# vault key (~/.config/switchboard), logs of `switchboard chat` (~/.local/state/switchboard),
# caches (~/.cache/switchboard). A volume mounted there starts with this owner.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group --shell /usr/sbin/nologin switchboard \
    && mkdir -p /home/switchboard/.cache/switchboard \
                /home/switchboard/.config/switchboard \
                /home/switchboard/.local/state/switchboard \
    && chown -R switchboard:switchboard /home/switchboard

# The code stays root-owned: the runtime user can read it, not change it.
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core ./core
COPY adapters ./adapters
COPY skills ./skills
COPY bots ./bots
RUN pip install ".[hub,names]"

USER 10001:10001
ENV HOME=/home/switchboard
# Listen on every interface inside the container; publish the port deliberately.
ENV SWITCHBOARD_HTTP_HOST=0.0.0.0 \
    SWITCHBOARD_HTTP_PORT=8080
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bots.health", "hub"]

# SIGTERM (docker stop) finishes turns in flight, rejects new ones, then exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["switchboard", "run"]
