# The production image: one image for web, worker and beat (docker-compose.yml).

# Browser bundles (bpmn-js, dmn-js, ECharts) from the npm registry at the pinned versions.
FROM node:20-slim AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend ./
RUN node build.mjs

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FUZHI_VAR_DIR=/var/lib/fuzhi \
    FUZHI_SANDBOX_MEMORY_MB=512
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home fuzhi \
    && mkdir -p /var/lib/fuzhi /var/lib/fuzhi-checkpoints \
    && chown fuzhi /var/lib/fuzhi /var/lib/fuzhi-checkpoints
WORKDIR /app
COPY pyproject.toml README.md ./
COPY processes ./processes
COPY webapp ./webapp
COPY --from=frontend /build/webapp/static/dist ./webapp/static/dist
COPY bpmn ./bpmn
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && python manage.py compilemessages --ignore=/usr/local --verbosity 0 \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0
USER fuzhi
EXPOSE 8000
# Workers, threads and timeouts: webapp/config/gunicorn.py (docs/reliability.md).
CMD ["gunicorn", "-c", "webapp/config/gunicorn.py", "webapp.config.wsgi:application"]
