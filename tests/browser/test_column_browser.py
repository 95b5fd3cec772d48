"""A real browser builds a two-section column, a chief editor signs it off, the TXT downloads.

Drives Debian's chromium through Playwright against the app served by a real server in a
thread on 127.0.0.1 (port chosen by the system), with CSRF protection on.
"""

import pytest

from moderation import create_app, pipeline
from moderation.storage import comments, users
from moderation.storage import editions as store
from tests import browser_support
from tests.browser_support import CHROMIUM, DESKTOP, SCREENSHOTS, live_server
from tests.seed import (
    comment_id_for,
    seed_quote_lines,
    seed_snow_lines,
    seed_talent_lines,
)

PASSWORD = "correct horse battery"
DATE = "2024-01-26"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture
def server(settings, db):
    """The dashboard on a real HTTP server in a thread; yields its base URL."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    for line in seed_quote_lines():
        comments.decide(db, comment_id_for(db, line), "approve", actor="mod")
    users.add_user(db, "lin", "editor", PASSWORD)
    users.add_user(db, "chief", "chief_editor", PASSWORD)
    with live_server(create_app(settings, SECRET_KEY="browser-test")) as base:
        yield base


def login(page, base: str, name: str) -> None:
    """Log in through the form."""
    browser_support.log_in(page, base, name)
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    """Keep a screenshot for a human to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_build_two_sections_sign_off_and_download_txt(server, page, db, tmp_path):
    snow, talent = seed_snow_lines()[:3], seed_talent_lines()[:2]
    story = {
        id(lines): db.execute(
            "SELECT story_id FROM comments WHERE id = ?", [comment_id_for(db, lines[0])]
        ).fetchone()[0]
        for lines in (snow, talent)
    }
    login(page, server, "lin")
    page.goto(f"{server}/editions/")
    page.fill("input[name=date]", DATE)
    page.click("form.create-edition button[type=submit]")
    page.wait_for_url(f"**/editions/{DATE}")
    for lines in (snow, talent):
        page.select_option("form.add-section select[name=story_id]", str(story[id(lines)]))
        page.click("form.add-section button[type=submit]")
        page.wait_for_load_state()
    headings = page.locator(".section-heading").all_inner_texts()
    assert headings == ["下雪啦", "清华、北大……350名顶级青年人才今天和市委书记一起在忙啥？"]
    for lines in (snow, talent):
        for line in lines:
            candidate = page.locator(
                f"article.candidate[data-comment-id='{comment_id_for(db, line)}']"
            )
            candidate.locator("button.pick-button").click()
            page.wait_for_load_state()
    # keyboard reorder (static/column.js): move the first snow quote down, then back up
    first_quote = page.locator("li.quote").first
    first_text = first_quote.locator(".quote-line").inner_text()
    first_quote.focus()
    with page.expect_navigation():
        page.keyboard.press("Alt+ArrowDown")
    assert page.locator("li.quote .quote-line").nth(1).inner_text() == first_text
    page.locator("li.quote").nth(1).locator("form button.move-up").click()
    page.wait_for_load_state()
    assert page.locator("li.quote .quote-line").first.inner_text() == first_text
    shot(page, "column-builder")

    page.click("form.logout button")
    login(page, server, "chief")
    page.goto(f"{server}/editions/{DATE}")
    page.click("button.sign-off")
    page.wait_for_load_state()
    assert "已签发" in page.locator(".edition-status").inner_text()
    shot(page, "column-signed-off")
    with page.expect_download() as download_info:
        page.click("a.download[data-format=txt]")
    path = tmp_path / "column.txt"
    download_info.value.save_as(path)
    body = path.read_bytes()
    printed = [line for line in body.decode("utf-8").split("\n") if line.startswith("网友@")]
    assert printed == snow + talent
    assert store.get_edition(db, DATE)["status"] == store.SIGNED_OFF
    page.goto(f"{server}/editions/{DATE}/preview")
    shot(page, "column-preview")


def test_builder_lists_problems_fixes_them_and_records_an_override(server, page, db):
    """The report's edition (a copy under another name, an emoji, one reader twice) cannot be
    signed off until each problem is fixed in the page or accepted with a note."""
    from moderation.export import review

    snow = seed_snow_lines()
    story_id = db.execute(
        "SELECT story_id FROM comments WHERE id = ?", [comment_id_for(db, snow[0])]
    ).fetchone()[0]
    edition = store.create_edition(db, DATE, "融媒·观察", "lin")
    section_id = store.add_section(db, edition, story_id, "lin")
    for line in snow[:3]:
        store.select_quote(db, edition, section_id, comment_id_for(db, line), "lin")
    copy_id = db.execute("SELECT id FROM comments WHERE author_name = '雪落无声'").fetchone()[0]
    comments.decide(db, copy_id, "approve", actor="mod")
    store.select_quote(db, edition, section_id, copy_id, "lin")
    first = store.sections(db, edition)[0]["quotes"][0]
    store.update_quote(db, edition, first["id"], first["excerpt"] + "🔥", "郭英", False, "lin")
    third = store.sections(db, edition)[0]["quotes"][2]
    db.execute(  # the third quote's reader also wrote the first
        "UPDATE comments SET author_key = (SELECT author_key FROM comments WHERE id = ?) "
        "WHERE id = ?",
        [first["comment_id"], third["comment_id"]],
    )

    login(page, server, "chief")
    page.goto(f"{server}/editions/{DATE}")
    panel = page.locator("#problems")
    assert "3 项待处理" in panel.inner_text()
    assert page.locator("button.sign-off").is_disabled()
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"column-builder-problems-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size(DESKTOP)

    panel.locator("button.fix-print_rule").click()
    page.wait_for_load_state()
    assert "🔥" not in page.locator("li.quote .quote-line").first.inner_text()
    duplicate = panel.locator("li.problem", has_text="相同或几乎相同")
    duplicate.locator("button.fix-remove").click()
    page.wait_for_load_state()
    assert "雪落无声" not in page.locator("ol.sections").inner_text()
    same_author = panel.locator("li.problem", has_text="同一位网友")
    same_author.locator("input[name=note]").fill("两条分别回应雪景和供暖，保留")
    same_author.locator("button[type=submit]", has_text="确认可以见报").click()
    page.wait_for_load_state()
    assert "可以签发" in panel.inner_text()
    assert "chief 于" in panel.inner_text() and "两条分别回应雪景和供暖" in panel.inner_text()
    page.click("button.sign-off")
    page.wait_for_load_state()
    assert store.get_edition(db, DATE)["status"] == store.SIGNED_OFF
    [note] = review.review(
        db, store.get_edition(db, DATE), review.Thresholds(False, 0.4)
    ).overridden.values()
    assert note["actor"] == "chief"
