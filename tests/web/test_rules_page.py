"""Admins write, dry-run, save, order, import and export rules; cards name the rule."""

from __future__ import annotations

from moderation import pipeline
from moderation.states import APPROVED
from moderation.storage import comments as comment_store
from moderation.storage import rules as rule_store
from tests.web.test_wordlists import add_comment

SHORT = 'name = "短评"\naction = "hold"\nqueue = "短评"\n[when]\nlength_below = 6\n'


def test_rules_page_lists_the_default_set(client, auth):
    auth.login("admin")
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "禁用词" in page and "信任作者且无标记" in page and "试运行" in page


def test_rules_page_is_for_admins_only(client, auth):
    auth.login("moderator")
    assert client.get("/admin/rules").status_code == 403


def test_dry_run_reports_without_saving(client, auth, db, settings):
    add_comment(db, "1", "好")
    add_comment(db, "2", "这是一条足够长的评论内容呢")
    pipeline.score_pending(db, settings)
    auth.login("admin")
    response = client.post("/admin/rules/dry-run", data={"source": SHORT, "limit": "10"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "试运行结果" in page
    assert 'class="checked">2<' in page and 'class="candidate">1<' in page
    assert len(rule_store.list_rules(db)) == 4


def test_bad_rule_is_shown_with_what_to_fix(client, auth, db):
    auth.login("admin")
    response = client.post("/admin/rules", data={"source": 'name = "x"\naction = "reject"\n'})
    assert response.status_code == 400
    assert "拒绝须写明原因代码" in response.get_data(as_text=True)
    assert len(rule_store.list_rules(db)) == 4


def test_saved_rule_decides_and_the_card_says_so(client, auth, db, settings):
    auth.login("admin")
    source = 'name = "长评通过"\naction = "approve"\n[when]\nlength_above = 10\n'
    assert client.post("/admin/rules", data={"source": source, "position": "1"}).status_code == 302
    comment_id = add_comment(db, "1", "这是一条足够长的、讲道理的读者评论")
    pipeline.score_pending(db, settings)
    assert comment_store.get_status(db, comment_id) == APPROVED
    page = client.get("/approved").get_data(as_text=True)
    assert "规则 5：长评通过 → 通过" in page


def test_held_queue_link_filters_the_pending_queue(client, auth, db, settings):
    rule_store.add_rule(db, rule_from(SHORT), "admin")
    short = add_comment(db, "1", "好")
    add_comment(db, "2", "这是一条足够长的评论内容呢")
    pipeline.score_pending(db, settings)
    auth.login("moderator")
    page = client.get("/?queue=pending&held=短评").get_data(as_text=True)
    assert page.count('class="comment ') == 1 and f'id="comment-{short}"' in page
    assert "（规则队列：短评）" in page
    assert "短评 1</a>" in client.get("/").get_data(as_text=True)  # linked from the queue


def rule_from(source):
    """A rule from the editor's TOML."""
    from moderation.rules.toml_io import rule_from_toml

    return rule_from_toml(source)


def test_order_switch_delete(client, auth, db):
    auth.login("admin")
    client.post("/admin/rules/4/up")
    assert [r.id for r in rule_store.list_rules(db)] == [1, 2, 4, 3]
    client.post("/admin/rules/4/disable")
    assert not rule_store.get_rule(db, 4).enabled
    client.post("/admin/rules/4/delete")
    assert [r.id for r in rule_store.list_rules(db)] == [1, 2, 3]


def test_export_then_import_round_trips(client, auth, db):
    auth.login("admin")
    exported = client.get("/admin/rules/export.toml").get_data(as_text=True)
    assert "[[rules]]" in exported and 'name = "禁用词"' in exported
    client.post("/admin/rules/import", data={"toml": exported.replace("禁用词", "禁用词汇", 1)})
    assert rule_store.list_rules(db)[0].name == "禁用词汇"
    response = client.post("/admin/rules/import", data={"toml": "[[rules]]\nname = 1\n"})
    assert "导入失败，规则未改动" in client.get(response.location).get_data(as_text=True)
    assert rule_store.list_rules(db)[0].name == "禁用词汇"
