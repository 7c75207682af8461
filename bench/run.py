"""Run every benchmark on the generated database and print one table.

    python -m bench.run                 # after python -m bench.generate
    python -m bench.run --quick         # fewer samples, 100 loops instead of 1,000

``make bench`` does both on a throwaway PostgreSQL (docs/performance.md). The results
also go to var/bench/results.json, with the inbox query plans.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .common import Row

RESULTS = Path(__file__).resolve().parents[1] / "var" / "bench" / "results.json"


def table(rows: list[Row]) -> str:
    lines = [f"{'figure':<58} {'value':>12} {'baseline':>12} {'ratio':>7}  baseline is"]
    lines.append("-" * len(lines[0]) + "-" * 24)
    for row in rows:
        baseline = _number(row.baseline) if row.baseline is not None else ""
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
        value = f"{_number(row.value)} {row.unit}"
        lines.append(
            f"{row.figure:<58} {value:>12} {baseline:>12} {ratio:>7}  {row.baseline_label}"
            + (f" ({row.note})" if row.note else "")
        )
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> str:
    """The results table for docs/performance.md."""
    lines = ["| figure | value | baseline | ratio |", "|---|---:|---:|---:|"]
    for row in results["rows"]:
        value = f"{_number(row['value'])} {row['unit']}".strip()
        baseline = ""
        if row["baseline"] is not None:
            baseline = f"{_number(row['baseline'])} ({row['baseline_label']})"
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else ""
        lines.append(f"| {row['figure']} | {value} | {baseline} | {ratio} |")
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fuzhi benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer samples (development)")
    parser.add_argument(
        "--markdown", action="store_true", help="print the last results as Markdown"
    )
    parser.add_argument("--steps", type=int, default=0, help="steps per variant (bench.step)")
    parser.add_argument("--only", default="", help="comma-separated benchmarks to run")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(RESULTS.read_text())))
        return
    from . import workers

    with workers.redis_broker():
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")
        import django

        django.setup()
        from . import bulk, growth, inbox, sandbox, step, storage

        runs = 40 if args.quick else 200
        plan: list[tuple[str, Any]] = [
            ("storage", storage.run),
            ("inbox", lambda: inbox.run(runs)),
            ("step", lambda: step.run(args.steps or runs)),
            ("growth", lambda: growth.run(100 if args.quick else 1000, 10)),
            ("throughput", lambda: workers.run(60 if args.quick else workers.STEPS)),
            ("sandbox", lambda: (sandbox.run(3 if args.quick else 9), {})),
            ("bulk", lambda: bulk.bulk_completion(2 if args.quick else 5)),
            ("assessment", bulk.yearly_assessment),
        ]
        if args.only:
            plan = [(name, bench) for name, bench in plan if name in args.only.split(",")]
        rows: list[Row] = []
        facts: dict[str, Any] = {"machine": _machine()}
        for name, bench in plan:
            began = time.monotonic()
            found, facts[name] = bench()
            facts[name]["seconds"] = round(time.monotonic() - began, 1)
            print(f"{name}: {facts[name]['seconds']} s", file=sys.stderr)
            rows.extend(found)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"rows": [r.__dict__ | {"ratio": r.ratio} for r in rows], "facts": facts},
            ensure_ascii=False,
            indent=1,
            default=str,
        )
    )
    print(table(rows))
    print(f"load average at the end: {os.getloadavg()}")


def _machine() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        version = connection.vendor
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "database": version,
        "platform": platform.platform(),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
