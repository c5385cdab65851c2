# PUX Puls for production (see docker-compose.yml): the app, its npm files, migrations, and the
# PostgreSQL client programs `pux backup` / `pux restore` use.
# Debian 12 (bookworm): its postgresql-client is 15, the major version of the compose file's server.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PUX_ENV=production \
    PUX_PORT=8000

WORKDIR /app

# Node only to install the browser files the app serves itself (swagger-ui, QR code), from Debian;
# pg_dump/pg_restore/psql for backups; openssl for the self-signed certificate of local use.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm postgresql-client openssl \
    && rm -rf /var/lib/apt/lists/*

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# The pinned runtime lock first, so code changes do not reinstall the dependencies. It holds the
# same versions as requirements.lock without the test tools (pytest, Playwright, ruff, mypy).
COPY requirements.runtime.lock pyproject.toml ./
RUN pip install -r requirements.runtime.lock

COPY alembic.ini ./
COPY migrations ./migrations
COPY backend ./backend
COPY frontend ./frontend
# Editable, so the code (and ROOT_DIR: alembic.ini, frontend/, node_modules/) stays in /app.
# /backups belongs to the app's user, so a volume mounted there starts out writable for it.
RUN pip install --no-deps -e . \
    && useradd --system --no-create-home --uid 10001 pux \
    && mkdir /backups && chown pux /backups

USER pux
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

# Migrations on every start (a no-op when up to date), then the app on all interfaces.
CMD ["sh", "-c", "pux migrate && exec pux serve --host 0.0.0.0 --port 8000"]
