"""The report archive: generate on demand, list, download DOCX and HTML."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
import pytest

from moderation import timeutil
from moderation.storage import stories
from tests.export.conftest import seeded  # noqa: F401  (the seed page collected, approved)
from tests.helpers import stopped_clock
from tests.web.conftest import add_comment


@pytest.mark.usefixtures("seeded")
def test_editor_generates_and_downloads_a_weekly_report(client, auth):
    auth.login("editor")
    response = client.post("/reports", data={"kind": "weekly", "date": "2024-01-25"})
    assert response.status_code == 302
    page = client.get("/reports").get_data(as_text=True)
    assert "2024-01-19 至 2024-01-25" in page
    download = client.get("/reports/1.docx")
    assert download.status_code == 200
    assert (
        "%E8%88%86%E6%83%85%E5%91%A8%E6%8A%A5-2024-01-25.docx"
        in download.headers["Content-Disposition"]
    )
    document = docx.Document(io.BytesIO(download.get_data()))
    assert document.paragraphs[0].text == "评论舆情周报"  # the red masthead
    assert document.paragraphs[2].text == "株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）"
    html = client.get("/reports/1.html")
    assert (
        html.mimetype == "text/html"
        and "default-src 'none'" in html.headers["Content-Security-Policy"]
    )
    assert html.headers["Content-Disposition"].startswith("inline;")  # opens in the browser


@pytest.mark.usefixtures("seeded")
def test_editor_writes_assessment_before_sending_and_it_is_in_both_files(client, auth, db):
    auth.login("editor")
    client.post("/reports", data={"kind": "daily", "date": "2024-01-22"})
    advice = "建议关注停电小区的后续报道。\n夜班交通可约请交警回应。"
    response = client.post("/reports/1/assessment", data={"assessment": advice})
    assert response.status_code == 302
    html = client.get("/reports/1.html").get_data(as_text=True)
    assert "研判与建议" in html and "夜班交通可约请交警回应。" in html
    document = docx.Document(io.BytesIO(client.get("/reports/1.docx").get_data()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "二、研判与建议" in texts and "建议关注停电小区的后续报道。" in texts
    client.post("/reports", data={"kind": "daily", "date": "2024-01-22"})  # regenerated
    assert "夜班交通可约请交警回应。" in client.get("/reports/1.html").get_data(as_text=True)
    page = client.get("/reports").get_data(as_text=True)
    assert "建议关注停电小区的后续报道。" in page  # shown in its form to edit again


@pytest.mark.usefixtures("seeded")
def test_regenerating_a_period_replaces_its_archive_entry(client, auth, db):
    auth.login("editor")
    for _ in range(2):
        client.post("/reports", data={"kind": "daily", "date": "2024-01-25"})
    assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 1


def test_bad_date_says_how_to_write_it(client, auth, db):
    auth.login("editor")
    page = client.post(
        "/reports", data={"kind": "daily", "date": "25/01/2024"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "日期格式应为 2024-01-25" in page


def test_missing_report_is_404(client, auth, db):
    auth.login("editor")
    assert client.get("/reports/99.docx").status_code == 404


@pytest.mark.usefixtures("seeded")
def test_assessment_leaves_the_desk_masked_but_is_kept_whole_to_edit(client, auth, db):
    auth.login("editor")
    client.post("/reports", data={"kind": "daily", "date": "2024-01-22"})
    advice = "请联系反映人张先生 13812345678 核实停电情况。"
    client.post("/reports/1/assessment", data={"assessment": advice})
    html = client.get("/reports/1.html").get_data(as_text=True)
    assert "13812345678" not in html and "138****5678" in html
    document = docx.Document(io.BytesIO(client.get("/reports/1.docx").get_data()))
    assert "13812345678" not in "\n".join(p.text for p in document.paragraphs)
    summary = db.execute("SELECT summary FROM reports WHERE id = 1").fetchone()[0]
    assert "13812345678" not in summary and "138****5678" in summary
    page = client.get("/reports").get_data(as_text=True)
    assert "13812345678" in page  # the editor's form still holds what they wrote


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("actor, shown", [("system", "定时生成"), ("cli", "命令行")])
def test_who_generated_a_report_is_said_in_chinese(client, auth, db, actor, shown):
    from datetime import date

    from moderation.export.report_archive import generate_report

    generate_report(db, "daily", date(2024, 1, 22), actor)
    auth.login("editor")
    page = client.get("/reports").get_data(as_text=True)
    assert f"<td>{shown}</td>" in page and f"<td>{actor}</td>" not in page


def test_the_form_offers_yesterday_or_the_last_day_with_comments(client, auth, db, monkeypatch):
    """Yesterday is the newsroom's (Beijing) yesterday, read from the app's one clock, here
    stopped just after Beijing midnight (the test once read its own clock: a run straddling
    midnight compared its yesterday with the page's, a day apart)."""
    auth.login("editor")
    night = datetime(2026, 12, 8, 16, 0, 1, tzinfo=UTC)  # 00:00:01 on the 9th in Beijing
    monkeypatch.setattr(timeutil, "datetime", stopped_clock(night))
    assert 'name="date" value="2026-12-08"' in client.get("/reports").get_data(as_text=True)
    story = stories.placeholder_story(db, "demo", "snow")
    add_comment(db, "雪天路滑", story, created_at="2024-01-24T17:30:00+00:00")  # 01-25, Beijing
    page = client.get("/reports").get_data(as_text=True)
    assert 'name="date" value="2024-01-25"' in page  # the demo's week, not an empty day
