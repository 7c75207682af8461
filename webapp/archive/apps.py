from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    """The member pages: the register, one person's archive (一人一档) and applications.

    A user-facing app above ``cases``: the archive lists a member's cases and opens new
    ones, which the ``staff`` app below ``cases`` may not do.
    """

    name = "webapp.archive"
    label = "archive"
    verbose_name = "Staff archive"
