from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data `make run` shows: the top layer, as it drives every other app."""

    name = "webapp.demo"
    label = "demo"
    verbose_name = "Demo data"
