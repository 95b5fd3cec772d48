"""Every benchmark runs at a tiny size, so none can break unseen.

The figures are not checked (speed is measured by running the benchmarks at full size, on
demand); what is checked is that each one runs to the end on a database built by today's
code, and says how many comments it really had.
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from moderation.db import connect
from tests.helpers import ROOT
from tests.processes import HANG_GUARD

pytestmark = pytest.mark.slow
# run.py starts ten benchmark processes one after the other (about 20 s of CPU at the tiny
# size): one hang guard for each, not one for all ten, which a loaded 2-core machine exceeded.
RUN_ALL_GUARD = 10 * HANG_GUARD


@pytest.fixture
def bench(processes, tmp_path):
    """Run `python bench/<script> ARGS` with its databases under tmp_path; return stdout."""
    env = {**os.environ, "MODERATION_BENCH_OUT": str(tmp_path / "out")}

    def run(script: str, *args: str, status: int = 0, timeout: float = HANG_GUARD) -> str:
        command = [sys.executable, str(ROOT / "bench" / script), *args]
        result = processes.run(command, timeout=timeout, cwd=ROOT, env=env)
        assert result.returncode == status, result.stdout + result.stderr
        return result.stdout + result.stderr

    return run


def test_run_py_runs_every_benchmark_on_a_fresh_database(bench, tmp_path):
    out = bench(
        "run.py",
        *("--n", "150", "--ingest", "40", "--scorer", "20", "--requests", "2"),
        *("--seconds", "1", "--no-cold"),
        timeout=RUN_ALL_GUARD,
    )
    assert "max |Δp| vs snownlp" in out  # the scorer benchmark
    assert "dashboard-150.db: 150 comments stored" in out
    assert "stored      : 40 comments in the database after the ingest" in out
    assert "stored      : 190 comments in the database after the ingest" in out  # on top
    assert "queue (pending, newest)" in out and "column export" in out
    assert "steady pass : median" in out  # the alert evaluation benchmark
    assert "draft of a week (" in out
    assert "group of 150 approved" in out  # bench_limits at --n too, not at its full size
    if shutil.which("wrk"):
        assert "load test: waitress, 150 comments" in out
    assert [path.name for path in (tmp_path / "out").glob("dashboard-*")] == ["dashboard-150.db"]


def test_queue_pages_bench_walks_the_queue(bench):
    out = bench("queue_pages.py", "--n", "60")
    assert "dashboard-60.db: 60 comments stored" in out
    assert "pending/newest page 202" in out and "count all (capped)" in out


def test_a_database_of_the_wrong_size_stops_the_bench(bench, tmp_path):
    (tmp_path / "out").mkdir()
    connect(tmp_path / "out" / "dashboard-80.db").close()  # as a build cut short once did
    out = bench("bench_dashboard.py", "--n", "80", "--requests", "1", status=1)
    assert "holds 0 comments, not 80: delete it and run again" in out


def test_alert_bench_fires_the_flood_and_leaves_the_database_as_it_was(bench, tmp_path):
    out = bench("bench_alerts.py", "--n", "120", "--passes", "2")
    assert "dashboard-120.db: 120 comments stored" in out
    assert "40 of them a flood" in out and "alert(s) fired" in out
    db = connect(tmp_path / "out" / "dashboard-120.db")
    assert db.table("comments").count == 120 and db.table("alerts").count == 0
    db.close()
