"""The column builder over HTTP: build, edit, reorder, sign off, download, archive."""

import re

import pytest

from moderation import pipeline
from moderation.collectors.base import CollectedComment
from moderation.storage import comments, decisions, edition_exports
from moderation.storage import editions as store
from tests.seed import (
    QUOTE,
    comment_id_for,
    seed_quote_lines,
    seed_snow_lines,
    seed_talent_lines,
)

DATE = "2024-01-26"


@pytest.fixture
def approved(db, settings):
    """The demo channel collected and the seed's printed comments approved."""
    pipeline.collect_channel(db, settings, settings.channel("demo"))
    for line in seed_quote_lines():
        comments.decide(db, comment_id_for(db, line), "approve", actor="mod")
    return db


def story_of(db, line: str) -> int:
    """The story a printed quote's comment belongs to."""
    return db.execute(
        "SELECT story_id FROM comments WHERE id = ?", [comment_id_for(db, line)]
    ).fetchone()[0]


def build_over_http(client, db) -> dict:
    """Create the seed's two-section edition through the builder's forms."""
    assert client.post("/editions/", data={"date": DATE, "title": "融媒·观察"}).status_code == 302
    for lines in (seed_snow_lines(), seed_talent_lines()):
        client.post(f"/editions/{DATE}/sections", data={"story_id": story_of(db, lines[0])})
        section_id = db.execute(
            "SELECT id FROM edition_sections ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        for line in lines:
            response = client.post(
                f"/editions/{DATE}/quotes",
                data={"section_id": section_id, "comment_id": comment_id_for(db, line)},
            )
            assert response.status_code == 302
    return store.get_edition(db, DATE)


def test_build_sign_off_and_download_txt(client, auth, approved):
    auth.login("editor")
    build_over_http(client, approved)
    page = client.get(f"/editions/{DATE}").get_data(as_text=True)
    assert "字</span>" in page and "网友@郭英：" in page
    assert client.post(f"/editions/{DATE}/sign-off").status_code == 403
    auth.login("chief_editor")
    assert client.post(f"/editions/{DATE}/sign-off").status_code == 302
    assert store.get_edition(approved, DATE)["status"] == store.SIGNED_OFF
    body = client.get(f"/editions/{DATE}/export.txt").get_data()
    lines = [line for line in body.decode("utf-8").split("\n") if QUOTE.match(line)]
    assert lines == seed_quote_lines()
    legacy = client.get(f"/editions/{DATE}/export.txt?encoding=gb18030")
    assert legacy.headers["Content-Type"] == "text/plain; charset=gb18030"
    assert legacy.get_data().decode("gb18030") == body.decode("utf-8")


def test_builder_search_and_channel_filter(client, auth, approved):
    auth.login("editor")
    client.post("/editions/", data={"date": DATE, "title": ""})
    assert store.get_edition(approved, DATE)["title"] == "融媒·观察"
    page = client.get(f"/editions/{DATE}?q=建宁驿站").get_data(as_text=True)
    assert page.count('class="candidate"') == 1 and "一只向上的熊" in page
    assert (
        client.get(f"/editions/{DATE}?channel=wechat")
        .get_data(as_text=True)
        .count('class="candidate"')
        == 0
    )


def test_moderator_cannot_open_the_builder(client, auth, approved):
    auth.login("moderator")
    assert client.get("/editions/").status_code == 403
    assert client.post("/editions/", data={"date": DATE}).status_code == 403


def test_edit_excerpt_keeps_original_and_shows_difference(client, auth, approved):
    auth.login("editor")
    edition = build_over_http(client, approved)
    quote = store.sections(approved, edition)[0]["quotes"][0]
    client.post(
        f"/editions/{DATE}/quotes/{quote['id']}",
        data={"excerpt": "昨天晚上我都不敢睡觉，就想等下雪。", "display_name": "郭英"},
    )
    page = client.get(f"/editions/{DATE}").get_data(as_text=True)
    assert "<del>12点前</del>" in page
    stored = approved.execute(
        "SELECT text FROM comments WHERE id = ?", [quote["comment_id"]]
    ).fetchone()[0]
    assert "12点前" in stored
    assert decisions.history(approved, quote["comment_id"])[-1]["action"] == "edit"


def test_move_buttons_and_order_post_reorder_quotes(client, auth, approved):
    auth.login("editor")
    edition = build_over_http(client, approved)
    section = store.sections(approved, edition)[0]
    first, second = section["quotes"][0]["id"], section["quotes"][1]["id"]
    client.post(f"/editions/{DATE}/quote/{first}/down")
    ids = [q["id"] for q in store.sections(approved, edition)[0]["quotes"]]
    assert ids[:2] == [second, first]
    client.post(
        f"/editions/{DATE}/order",
        data={"kind": "quote", "parent_id": section["id"], "ids": ",".join(map(str, ids[::-1]))},
    )
    assert [q["id"] for q in store.sections(approved, edition)[0]["quotes"]] == ids[::-1]
    sections = [s["id"] for s in store.sections(approved, edition)]
    client.post(f"/editions/{DATE}/section/{sections[1]}/up")
    assert [s["id"] for s in store.sections(approved, edition)] == sections[::-1]


def approve_unnamed_wechat_comment(db) -> int:
    """A WeChat comment (no reader name) on the snow story, approved; returns its id."""
    wechat = CollectedComment(
        native_id="wx-1",
        story_native_id="snow-2024",
        text="雪景太美了，联系我13912345678",
        created_at="2024-01-22T12:00:00+00:00",
        author_key="wx:abc",
    )
    story_ids = {"snow-2024": story_of(db, seed_snow_lines()[0])}
    comments.save_comments(db, "wechat", [wechat], story_ids)
    comment_id = db.execute("SELECT id FROM comments WHERE native_id = 'wx-1'").fetchone()[0]
    comments.decide(db, comment_id, "approve", actor="mod")
    return comment_id


def test_wechat_comment_without_name_needs_one_before_sign_off(client, auth, approved):
    comment_id = approve_unnamed_wechat_comment(approved)
    auth.login("chief_editor")
    edition = build_over_http(client, approved)
    section_id = store.sections(approved, edition)[0]["id"]
    client.post(
        f"/editions/{DATE}/quotes", data={"section_id": section_id, "comment_id": comment_id}
    )
    page = client.get(f"/editions/{DATE}").get_data(as_text=True)
    assert "微信评论无昵称，必须填写" in page and "缺少署名" in page
    client.post(f"/editions/{DATE}/sign-off")
    assert store.get_edition(approved, DATE)["status"] == store.DRAFT
    quote = store.sections(approved, edition)[0]["quotes"][-1]
    client.post(
        f"/editions/{DATE}/quotes/{quote['id']}",
        data={"excerpt": quote["excerpt"], "display_name": "雪夜归人"},
    )
    client.post(f"/editions/{DATE}/sign-off")  # the phone number still stops it
    assert store.get_edition(approved, DATE)["status"] == store.DRAFT
    page = client.get(f"/editions/{DATE}").get_data(as_text=True)
    assert "含有个人信息" in page and "遮盖个人信息" in page
    client.post(f"/editions/{DATE}/quotes/{quote['id']}/mask")
    assert store.sections(approved, edition)[0]["quotes"][-1]["excerpt"].endswith("139****5678")
    client.post(f"/editions/{DATE}/sign-off")
    assert store.get_edition(approved, DATE)["status"] == store.SIGNED_OFF
    body = client.get(f"/editions/{DATE}/export.txt").get_data(as_text=True)
    assert "网友@雪夜归人：雪景太美了，联系我139****5678" in body
    assert "未签发" not in body


def test_edition_from_approved_refuses_to_export_an_unnamed_quote(client, auth, approved):
    approve_unnamed_wechat_comment(approved)
    auth.login("editor")
    client.post("/editions/", data={"date": DATE, "title": "", "from_approved": "1"})
    edition = store.get_edition(approved, DATE)
    assert edition["title"] == "融媒·观察"  # the configured default
    quotes = [q for s in store.sections(approved, edition) for q in s["quotes"]]
    assert len(quotes) == len(seed_quote_lines()) + 1
    download = client.get(f"/editions/{DATE}/export.txt", follow_redirects=True)
    page = download.get_data(as_text=True)
    assert download.request.path == f"/editions/{DATE}"  # back in the builder, told why
    assert "还没有署名（网友@后的名字），请在专栏编辑页填写" in page
    preview = client.get(f"/editions/{DATE}/preview").get_data(as_text=True)
    assert "<strong>网友@（未署名）：</strong>雪景太美了，联系我139****5678" in preview


def test_print_archives_exports_and_warns_when_picked_again(client, auth, approved):
    auth.login("chief_editor")
    build_over_http(client, approved)
    client.post(f"/editions/{DATE}/sign-off")
    client.post(f"/editions/{DATE}/print")
    edition = store.get_edition(approved, DATE)
    assert edition["status"] == store.PRINTED
    exports = edition_exports.list_exports(approved, edition)
    assert {(e["format"], e["encoding"]) for e in exports} >= {
        ("txt", "gb18030"),
        ("docx", "utf-8"),
    }
    txt = next(e for e in exports if (e["format"], e["encoding"]) == ("txt", "utf-8"))
    archived = client.get(f"/editions/{DATE}/archive/{txt['id']}")
    assert archived.headers["X-Reproduced"] == "yes"
    assert archived.get_data() == client.get(f"/editions/{DATE}/export.txt").get_data()
    archive_page = client.get("/editions/").get_data(as_text=True)
    assert f"/editions/{DATE}/archive/{txt['id']}" in archive_page
    # a printed edition is archived: changes are refused
    client.post(f"/editions/{DATE}/quote/1/down")
    assert client.get(f"/editions/{DATE}").status_code == 200
    assert store.get_edition(approved, DATE)["status"] == store.PRINTED
    # picking a printed quote again warns
    client.post("/editions/", data={"date": "2024-02-02", "title": "融媒·观察"})
    client.post(
        "/editions/2024-02-02/sections", data={"story_id": story_of(approved, seed_snow_lines()[0])}
    )
    section_id = approved.execute("SELECT MAX(id) FROM edition_sections").fetchone()[0]
    page = client.get("/editions/2024-02-02").get_data(as_text=True)
    assert f"已于 {DATE} 见报" in page
    response = client.post(
        "/editions/2024-02-02/quotes",
        data={
            "section_id": section_id,
            "comment_id": comment_id_for(approved, seed_snow_lines()[0]),
        },
        follow_redirects=True,
    )
    assert "已在 2024-01-26 的版面上刊登过" in response.get_data(as_text=True)


def test_preview_looks_like_the_printed_column(client, auth, approved):
    auth.login("editor")
    build_over_http(client, approved)
    page = client.get(f"/editions/{DATE}/preview").get_data(as_text=True)
    assert '<h1 class="column-title">融媒·观察</h1>' in page
    assert "<strong>网友@郭英：</strong>昨天晚上12点前" in page
    counts = re.findall(r'<span class="char-count">(\d+) 字</span>', page)
    assert len(counts) == 2 and all(int(n) > 100 for n in counts)


def test_reader_text_is_escaped(client, auth, approved):
    approved.execute(
        "UPDATE comments SET text = '<script>alert(1)</script>' WHERE id = ?",
        [comment_id_for(approved, seed_snow_lines()[0])],
    )
    auth.login("editor")
    client.post("/editions/", data={"date": DATE, "title": "融媒·观察"})
    page = client.get(f"/editions/{DATE}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_pages_have_no_inline_script_or_style(client, auth, approved):
    auth.login("chief_editor")
    build_over_http(client, approved)
    for url in (f"/editions/{DATE}", f"/editions/{DATE}/preview", "/editions/", "/ranking/"):
        page = client.get(url).get_data(as_text=True)
        main = page[page.index("<main") :]
        assert "style=" not in main and " onclick" not in main, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", main), url
