from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "webapp.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        # The schedule page's retry button looks a failed job up by name. Imported here,
        # not at the top: task modules import models, which load only after every app's
        # config (the same reason as a signals import in ready()).
        from webapp.cases import tasks as case_tasks

        from . import tasks

        case_tasks.TASKS.setdefault("verify_histories", tasks.verify_histories)
