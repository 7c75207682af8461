from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "webapp.public"
    label = "public"
    verbose_name = "Public registry and complaints"
