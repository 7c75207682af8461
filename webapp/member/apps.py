from django.apps import AppConfig


class MemberConfig(AppConfig):
    """The member's own pages (Art. 12): their record, certificate, the cases about them,
    appeals and suggestions; phone first. A room beside the inbox and the archive."""

    name = "webapp.member"
    label = "member"
    verbose_name = "Member's own pages"

    def ready(self) -> None:
        # Signal receivers connect once the models are loaded (Django's AppConfig.ready).
        from . import signals  # noqa: F401
