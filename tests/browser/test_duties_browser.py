"""The 举报 queue, the appeals page and the records export in a real browser: a moderator
upholds one report (the comment rejected with the matching reason, the outcome reaching the
site's local server) and dismisses another, a page out of date is refused, a second
moderator decides an appeal the first decider may not; screenshots at desktop and phone
sizes under test-output/screenshots/ (no sideways scrolling at 390 px).

Debian's chromium driven by Playwright against a real server on 127.0.0.1; reports and
appeals arrive signed over HTTP from the test as the site would send them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from moderation import create_app
from moderation.db import open_db
from moderation.sending import push_outbox as sender
from moderation.settings import load_settings
from moderation.storage import authors, decisions, reader_reports, users
from moderation.timeutil import iso
from tests import browser_support
from tests.browser_support import CHROMIUM, DESKTOP, PHONE, SCREENSHOTS, live_server
from tests.duties.conftest import SECRET, Site, site_channel, store_site_comments
from tests.helpers import PASSWORD, write_config
from tests.push.servers import FakeSite, serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium"
    ),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
LABEL = "株洲日报网站"
TOKENS = ("reader-甲", "reader-乙", "reader-丙", "reader-丁", "appellant-戊")


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """The desk on a real server (CSRF on, real logins), its site channel labelled and
    pushing to a local site server; {url, db, settings, ids, site, fake}."""
    monkeypatch.setenv("ZZRB_SITE_SECRET", SECRET)
    with serving(FakeSite(SECRET, {"c-1", "c-2", "c-3", "c-4"})) as fake:
        channel = site_channel(fake.url, push="on").replace(
            'type = "jsonfeed"', f'label = "{LABEL}"\ntype = "jsonfeed"'
        )
        settings = load_settings(write_config(tmp_path, channels=channel))
        db = open_db(settings)
        ids = store_site_comments(db)
        for name, role in (("王审核", "moderator"), ("李审核", "moderator"), ("张管理", "admin")):
            users.add_user(db, name, role, PASSWORD)
        with live_server(create_app(settings, SECRET_KEY="duties-browser-key")) as url:
            yield {
                "url": url,
                "db": db,
                "settings": settings,
                "ids": ids,
                "site": Site(url),
                "fake": fake,
            }
        db.close()


def open_page(browser, desk, name: str, path: str, viewport=DESKTOP):
    """A fresh context (own cookies) logged in as `name` through the form, on `path`."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    browser_support.log_in(page, desk["url"], name, path)
    return page


def shoot(page, name: str, viewport) -> None:
    """A screenshot to look at, and no sideways scrolling at this width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{viewport['width']}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth") - viewport["width"]
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {viewport['width']}"


def status(db, comment_id: int) -> str:
    return db.execute("SELECT status FROM comments WHERE id = ?", [comment_id]).fetchone()[0]


def file_reports(site, db) -> None:
    """Reports as the site sends them: c-1 twice (广告, with a note), c-2 once, c-4 once
    (received 26 hours ago, past its 24-hour limit)."""
    site.report("c-1", TOKENS[0], "广告", report_id="r-1", text="留了微信号卖东西")
    site.report("c-1", TOKENS[1], "广告", report_id="r-2")
    site.report("c-2", TOKENS[2], "辱骂攻击", report_id="r-3")
    site.report("c-4", TOKENS[3], "谣言", report_id="r-4", text="线路并没有取消")
    now = datetime.now(UTC)
    db.execute(
        "UPDATE reader_reports SET received_at = ?, due_at = ? WHERE site_report_id = 'r-4'",
        [iso(now - timedelta(hours=26)), iso(now - timedelta(hours=2))],
    )
    db.conn.commit()


def assert_readable(text: str) -> None:
    """What a moderator reads: no reporter, no internal channel name or state, Beijing
    times to the minute (never raw ISO)."""
    for token in TOKENS:
        assert token not in text
    assert "site:" not in text and "jsonfeed" not in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)
    assert not re.search(r"\b(pending|approved|rejected|upheld|dismissed)\b", text)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_report_queue_upholds_and_dismisses_and_the_site_hears(browser, desk, viewport):
    db, ids, fake = desk["db"], desk["ids"], desk["fake"]
    file_reports(desk["site"], db)
    page = open_page(browser, desk, "王审核", "/reader-reports", viewport)
    rows = page.locator("table.duty-reports tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).get_attribute("data-comment") == str(ids["c-1"])  # most reported first
    first = rows.nth(0)
    assert "广告 ×2" in first.inner_text() and "留了微信号卖东西" in first.inner_text()
    assert LABEL in first.inner_text()
    late = page.locator(f"tr[data-comment='{ids['c-4']}']")
    assert "已等 1 天 2 小时" in late.inner_text() and "已超时" in late.inner_text()
    assert "已超时" not in first.inner_text()
    assert page.locator("nav .nav-duties").inner_text().count("举报") == 1
    assert_readable(page.locator("main").inner_text())
    shoot(page, "reader-reports", viewport)

    # Upheld: the reason the readers gave is preselected; the comment is rejected with it.
    assert first.locator("select[name=reason]").input_value() == "广告"
    with page.expect_navigation():
        first.get_by_role("button", name="举报成立").click()
    assert "举报成立，关闭 2 条举报" in page.locator(".flash").inner_text()
    assert status(db, ids["c-1"]) == "rejected"
    last = decisions.last(db, ids["c-1"])
    assert (last["actor"], last["action"], last["reason"]) == ("王审核", "reject", "ad")

    # Dismissed: the comment stays as it was.
    row = page.locator(f"tr[data-comment='{ids['c-2']}']")
    with page.expect_navigation():
        row.get_by_role("button", name="举报不成立").click()
    assert status(db, ids["c-2"]) == "pending"
    assert decisions.last(db, ids["c-2"])["action"] == "report_dismissed"
    assert page.locator("table.duty-reports tbody tr").count() == 1

    # The site's local server receives the delete and both outcomes, signed.
    assert sender.deliver(db, desk["settings"]).total("done") == 3
    sent = {(call.json()["action"], call.json()["comment_id"]): call.json() for call in fake.calls}
    assert set(sent) == {("delete", "c-1"), ("report_outcome", "c-1"), ("report_outcome", "c-2")}
    assert sent[("report_outcome", "c-1")]["outcome"] == {
        "outcome": "upheld",
        "reason": "广告",
        "report_ids": ["r-1", "r-2"],
    }
    assert sent[("report_outcome", "c-2")]["outcome"]["outcome"] == "dismissed"

    # A page out of date: c-4 is approved by a colleague before this moderator decides.
    decisions.decide_one(db, ids["c-4"], "approve", "李审核")
    with page.expect_navigation():
        page.locator(f"tr[data-comment='{ids['c-4']}']").get_by_role(
            "button", name="举报成立"
        ).click()
    body = page.locator("main").inner_text()
    assert "已由 李审核" in body and "“举报成立”没有生效" in body and "举报仍待处理" in body
    assert status(db, ids["c-4"]) == "approved"
    assert reader_reports.queue(db)[0]["id"] == ids["c-4"]
    assert_readable(body)
    shoot(page, "reader-reports-conflict", viewport)
    page.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_appeal_is_decided_by_a_second_moderator(browser, desk, viewport):
    db, ids, fake = desk["db"], desk["ids"], desk["fake"]
    decisions.decide_one(db, ids["c-3"], "reject", "王审核", "abuse")
    filed = desk["site"].post(
        {
            "type": "appeal",
            "kind": "comment",
            "comment_id": "c-3",
            "appellant": TOKENS[4],
            "appeal_id": "ap-1",
            "text": "我只是表达对公交调整的不满，没有骂人",
        }  # fmt: skip
    )
    appeal_id = filed.json()["id"]
    authors.set_level(db, "site:u-c-4", "muted", "王审核", "广告刷屏")
    muted = desk["site"].post(
        {"type": "appeal", "kind": "mute", "author_id": "u-c-4", "appellant": TOKENS[4]}
    )
    mute_id = muted.json()["id"]

    first = open_page(browser, desk, "王审核", "/appeals", viewport)
    row = first.locator(f"tr[data-appeal='{appeal_id}']")
    assert "您是首次处理人" in row.inner_text()
    assert row.get_by_role("button", name="申诉成立").count() == 0
    # Even a hand-made request from the first decider's page is refused by the server.
    # (fetch follows the redirect: the answer is the list again, with the refusal shown)
    answer = first.evaluate(
        """async ([url, token]) => (await fetch(url, {method: 'POST', body:
               new URLSearchParams({csrf_token: token, outcome: 'upheld'})})).text()""",
        [
            f"/appeals/{appeal_id}/decide",
            first.locator("meta[name=csrf-token]").get_attribute("content"),
        ],
    )
    assert "申诉须由首次处理人以外的人复核" in answer
    assert status(db, ids["c-3"]) == "rejected"
    first.context.close()

    second = open_page(browser, desk, "李审核", "/appeals", viewport)
    row = second.locator(f"tr[data-appeal='{appeal_id}']")
    text = row.inner_text()
    assert "没有骂人" in text and "王审核" in text and "评论被拒" in text
    assert "拒绝原因：辱骂" in text and LABEL in text
    mute_row = second.locator(f"tr[data-appeal='{mute_id}']")
    assert "被禁言" in mute_row.inner_text() and "读者c-4" in mute_row.inner_text()
    assert "禁言原因：广告刷屏" in mute_row.inner_text()
    assert_readable(second.locator("main").inner_text())
    shoot(second, "appeals", viewport)
    row.locator("input[name=note]").fill("属正常批评")
    with second.expect_navigation():
        row.get_by_role("button", name="申诉成立").click()
    assert "申诉成立" in second.locator(".flash").inner_text()
    assert status(db, ids["c-3"]) == "approved"
    last = decisions.last(db, ids["c-3"])
    assert (last["actor"], last["action"]) == ("李审核", "approve")
    decided = second.locator("main table").nth(1).inner_text()
    assert "申诉成立" in decided and "李审核" in decided and "属正常批评" in decided
    with second.expect_navigation():
        second.locator(f"tr[data-appeal='{mute_id}']").get_by_role(
            "button", name="申诉驳回"
        ).click()
    assert authors.explicit_levels(db, ["site:u-c-4"]) == {"site:u-c-4": "muted"}
    assert "没有待复核的申诉" in second.locator("main").inner_text()
    assert_readable(second.locator("main").inner_text())
    shoot(second, "appeals-decided", viewport)

    sender.deliver(db, desk["settings"])
    outcomes = [call.json() for call in fake.calls if call.json()["action"] == "appeal_outcome"]
    [restored] = [body for body in outcomes if body["comment_id"] == "c-3"]
    assert restored["outcome"]["outcome"] == "upheld" and restored["outcome"]["appeal_id"] == "ap-1"
    [denied] = [body for body in outcomes if body["comment_id"] is None]
    assert denied["outcome"]["outcome"] == "denied" and denied["outcome"]["author_id"] == "u-c-4"
    second.context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_records_export_downloads_for_an_admin(browser, desk, viewport):
    db, ids = desk["db"], desk["ids"]
    decisions.decide_one(db, ids["c-1"], "reject", "王审核", "abuse")
    page = open_page(browser, desk, "张管理", "/records", viewport)
    shoot(page, "records", viewport)
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 CSV").click()
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf") and LABEL in data.decode("utf-8-sig")
    assert download.value.suggested_filename.startswith("records-")
    page.reload()
    assert "网页下载" in page.locator("main").inner_text()
    shoot(page, "records-exported", viewport)
    [audit] = list(db.query("SELECT actor FROM record_exports"))
    assert audit["actor"] == "张管理"
    page.context.close()
