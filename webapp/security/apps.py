from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "webapp.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        # Signal receivers: logins, permission changes and deploys land in the audit log.
        # Imported here, the Django idiom: the receivers name models, which are loaded
        # only once every app's config is (a module-level import would run too early).
        from webapp.cases import tasks as case_tasks

        from . import signals, tasks  # noqa: F401

        # The schedule page's retry button looks a failed job up by name.
        case_tasks.TASKS.setdefault("history_checkpoint", tasks.history_checkpoint)
