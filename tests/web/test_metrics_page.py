"""The metrics page and its CSV agree with the decisions table."""

from __future__ import annotations

import csv
import io

import pytest

from tests.test_desk_metrics import decided  # noqa: F401  (the fixed decisions)

RANGE = {"from": "2024-01-22", "to": "2024-01-29"}


def read_csv(response) -> list[dict]:
    """A CSV download as rows (BOM removed)."""
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.usefixtures("decided")
def test_moderator_csv_matches_the_decisions(client, auth, db):
    auth.login("editor")
    rows = read_csv(client.get("/metrics/moderators.csv", query_string={**RANGE, "period": "week"}))
    expected = {}
    for actor, action, at in db.execute(
        "SELECT actor, action, at FROM decisions WHERE action IN ('approve', 'reject')"
        " AND actor NOT IN ('system') AND actor NOT LIKE 'rule:%'"
    ):
        week = "2024-W04" if at < "2024-01-28T16:00:00+00:00" else "2024-W05"
        entry = expected.setdefault((week, actor), {"approve": 0, "reject": 0})
        entry[action] += 1
    assert {
        (r["period"], r["actor"]): {"approve": int(r["approve"]), "reject": int(r["reject"])}
        for r in rows
    } == expected


@pytest.mark.usefixtures("decided")
def test_metrics_page_shows_the_same_figures(client, auth):
    auth.login("editor")
    page = client.get("/metrics", query_string=RANGE).get_data(as_text=True)
    assert "审核指标" in page and "王编辑" in page and "李审核" in page
    assert page.count("<svg") >= 4
    assert "信号是否可信" in page and "最近 7 天" in page and "最近 30 天" in page
    assert "未进机器标记" in page


def test_moderators_may_not_see_metrics(client, auth):
    auth.login("moderator")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics/moderators.csv").status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2024-13-01"},
        {"from": "2024-02-01", "to": "2024-01-01"},
        {"from": "2020-01-01", "to": "2024-01-01"},
        {"period": "year"},
    ],
)
def test_bad_ranges_are_refused_in_chinese(client, auth, query):
    auth.login("editor")
    response = client.get("/metrics", query_string=query)
    assert response.status_code == 400


def test_unknown_table_is_404(client, auth):
    auth.login("editor")
    assert client.get("/metrics/passwords.csv").status_code == 404
