from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "webapp.records"
    label = "records"
    verbose_name = "Archive records"
