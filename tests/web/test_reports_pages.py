"""The report archive: generate on demand, list, download DOCX and HTML."""

from __future__ import annotations

import io

import docx
import pytest

from tests.export.conftest import seeded  # noqa: F401  (the seed page collected, approved)


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
    assert document.paragraphs[0].text == "株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）"
    html = client.get("/reports/1.html")
    assert (
        html.mimetype == "text/html"
        and "default-src 'none'" in html.headers["Content-Security-Policy"]
    )


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
