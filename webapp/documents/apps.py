from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "webapp.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The case history vouches for each stored file, and the case page shows the
        # files and the thread: both are registered with `cases`, which sits below.
        from webapp.cases import history, panels

        from . import verification, views

        history.CONTENT_CHECKS.append(verification.attachment_breaks)
        history.CONTENT_CHECKS.append(verification.comment_breaks)
        panels.CASE_PANELS.append(views.case_panel)
