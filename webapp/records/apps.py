from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "webapp.records"
    label = "records"
    verbose_name = "Archive records"

    def ready(self) -> None:
        # Registers the archive operators with the case operator registry.
        from . import operators  # noqa: F401
