"""Load public holidays and make-up working days (调休) from the chinese_calendar package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from webapp.workdays.selectors import covered_years
from webapp.workdays.services import seed_from_library


def year_ranges(years: set[int] | list[int]) -> str:
    """2004, 2005, 2006, 2031 -> "2004–2006, 2031"."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs) or "none"


class Command(BaseCommand):
    help = (
        "Seed the working-day calendar from the chinese_calendar package. Idempotent; "
        "never overwrites rows an administrator entered or edited."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = seed_from_library()
        self.stdout.write(
            f"Added {result.added} calendar rows from chinese-calendar "
            f"{result.library_version} (library years {year_ranges(result.library_years)})."
        )
        self.stdout.write(f"Calendar covers: {year_ranges(covered_years())}.")
        for line in result.disagreements:
            self.stdout.write(self.style.WARNING(f"Kept administrator row — {line}"))
