from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "webapp.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Signal receivers: logins, permission changes and deploys land in the audit log.
        from . import signals  # noqa: F401
