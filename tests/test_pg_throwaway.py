"""The throwaway PostgreSQL the crash tests run on acknowledges only durable commits
(issue 19: with synchronous_commit off, a killed postmaster lost commits the app had
already acknowledged, so a crash test could not tell a lost step from a bug)."""

from __future__ import annotations

from tests.conftest import ROOT


def test_the_throwaway_cluster_keeps_synchronous_commit_on() -> None:
    script = (ROOT / "scripts" / "pg_throwaway.sh").read_text()
    assert "-c synchronous_commit=on" in script
    assert "synchronous_commit=off" not in script
