"""Django project configuration. Importing it loads the Celery app, so that shared tasks
use it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
