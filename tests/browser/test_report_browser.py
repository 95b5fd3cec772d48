"""The weekly 舆情 report as the 总编室 sees it: the HTML in chromium (desktop and phone) and
the DOCX's first page as LibreOffice prints it, saved under test-output/screenshots/.

The demo week collected and really scored, one incident on the snow story, an editor's
研判与建议. The DOCX rendering needs LibreOffice and poppler (`soffice`, `pdftoppm`).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import date

import pytest

from moderation import pipeline
from moderation.export.report import gather, keywords_for, report_docx, report_html
from moderation.storage import alerts as alert_store
from tests.browser_support import CHROMIUM, SCREENSHOTS, launch
from tests.export.conftest import seeded  # noqa: F401  (the demo channel collected)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
LABELS = {"demo": "演示数据（样例页面评论）"}
ADVICE = "“下雪啦”一稿负面评论集中在停电、路面结冰，建议约请供电、交警部门回应，并跟进报道。"


@pytest.fixture
def weekly(request, settings):
    """The demo week's report with an incident and the editor's assessment."""
    db = request.getfixturevalue("seeded")
    pipeline.score_pending(db, settings)
    snow = db.execute("SELECT id FROM stories WHERE title = '下雪啦'").fetchone()[0]
    rule = alert_store.save_rule(db, {"name": "负面评论激增", "kind": "negative_spike"}, "t")
    alert_id = alert_store.fire_alert(
        db,
        {"rule_id": rule, "condition": f"story:{snow}", "title": "《下雪啦》负面评论激增",
         "story_id": snow, "detail": {"count": 15, "peak": 15}},
        [],
        "2024-01-22T13:40:00+00:00",
    )  # fmt: skip
    alert_store.clear_alerts(db, [alert_id], "2024-01-22T15:10:00+00:00")
    return gather(
        db,
        "weekly",
        date(2024, 1, 19),
        date(2024, 1, 25),
        keywords=keywords_for(settings.data_path),
        labels=LABELS,
        assessment=ADVICE,
    )


def test_html_report_in_chromium(weekly, tmp_path):
    page_file = tmp_path / "report.html"
    page_file.write_bytes(report_html(weekly))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for name, size in (("desktop", (1366, 900)), ("phone", (390, 844))):
                page = browser.new_page(viewport={"width": size[0], "height": size[1]})
                page.goto(page_file.as_uri())
                chart = page.locator("svg.bar-chart").bounding_box()
                assert chart and chart["width"] > 300 and chart["height"] > 100
                masthead = page.locator(".masthead")
                assert masthead.evaluate("e => getComputedStyle(e).color") == "rgb(192, 0, 0)"
                assert page.locator("text=研判与建议").count() == 1
                assert page.locator("text=演示数据（样例页面评论）").count() >= 1
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0  # nothing wider than a phone
                page.screenshot(path=str(SCREENSHOTS / f"report-weekly-{name}.png"), full_page=True)
                page.screenshot(path=str(SCREENSHOTS / f"report-weekly-{name}-top.png"))
                page.close()
        finally:
            browser.close()


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftoppm")),
    reason="LibreOffice (soffice) and poppler (pdftoppm) render the DOCX",
)
def test_docx_first_page_rendered_by_libreoffice(weekly, tmp_path):
    source = tmp_path / "舆情周报-2024-01-25.docx"
    source.write_bytes(report_docx(weekly))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    pdf = source.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.3" in info and "841.8" in info  # A4 in points
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / "report-weekly-docx"
    subprocess.run(
        ["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(target)],
        check=True, timeout=120,
    )  # fmt: skip
    image = (SCREENSHOTS / "report-weekly-docx.png").read_bytes()
    width, height = struct.unpack(">II", image[16:24])
    assert abs(height / width - 297 / 210) < 0.01
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "评论舆情周报" in text and "舆情概述" in text
    assert "—1—" in text.replace(" ", "")  # the footer's page number
