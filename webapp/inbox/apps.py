from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "webapp.inbox"
    label = "inbox"
    verbose_name = "Inbox"
