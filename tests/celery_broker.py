"""Where the tests' Celery messages go: memory by default, Redis for a worker test."""

from __future__ import annotations


def use_broker(url: str) -> str:
    """Point the Celery app at ``url`` (its connection pools are rebuilt); the old URL."""
    from webapp.config.celery import app

    previous = str(app.conf.broker_url)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {}
    app._pool = None
    app.amqp._producer_pool = None
    return previous
