# One image for every Azura process; the command picks which:
#   docker run IMAGE                          -> python -m azura_cluster (parent + AZURA_CHILD_COUNT children)
#   docker run IMAGE python -m azura_parent   -> the parent alone
#   docker run IMAGE python -m azura_child    -> one child (serves gRPC on $PORT, default 5100 here)
# Configuration comes from the environment only (.env.example; docs/DEPLOY.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=5100 \
    AZURA_DATA_DIR=/data

# A dedicated user that owns nothing but its data directory: the code is root's and read-only to it.
RUN groupadd --system --gid 10001 azura \
    && useradd --system --uid 10001 --gid azura --home-dir /data --shell /usr/sbin/nologin azura \
    && mkdir -p /data && chown azura:azura /data

WORKDIR /app
# The pinned runtime dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt ./
RUN pip install --no-deps -r requirements.txt
COPY setup.cfg pyproject.toml README.md Procfile ./
COPY azura_common ./azura_common
COPY azura_parent ./azura_parent
COPY azura_child ./azura_child
COPY azura_cluster ./azura_cluster
RUN pip install --no-deps . && python -m azura_common.healthcheck --help > /dev/null

USER azura:azura
VOLUME ["/data"]
# The children's gRPC port (internal: parent <-> children only; never publish it to the internet).
EXPOSE 5100

# A child: its grpc.health.v1 says SERVING once Discord and Lavalink are ready. The parent and the cluster serve no
# gRPC health: there the same command checks that their process runs and is not stopped (azura_common/healthcheck.py).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "azura_common.healthcheck"]

STOPSIGNAL SIGTERM
CMD ["python", "-m", "azura_cluster"]
