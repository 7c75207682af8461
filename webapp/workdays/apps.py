from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "webapp.workdays"
    label = "workdays"
    verbose_name = "Working-day calendar"
