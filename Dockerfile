# The production image: one image for web, worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FUZHI_VAR_DIR=/var/lib/fuzhi
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home fuzhi \
    && mkdir -p /var/lib/fuzhi && chown fuzhi /var/lib/fuzhi
WORKDIR /app
COPY pyproject.toml README.md ./
COPY processes ./processes
COPY webapp ./webapp
COPY bpmn ./bpmn
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && python manage.py compilemessages --ignore=/usr/local --verbosity 0
USER fuzhi
EXPOSE 8000
CMD ["gunicorn", "webapp.config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
