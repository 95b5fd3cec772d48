"""The authorization matrix: every route of the url_map x every role and logged out.

The expected policy is written out below, so a change in who may do what shows up as a diff
of this file. Each cell runs on a fresh copy of the populated database.
"""

from __future__ import annotations

from moderation.roles import ADMIN, CHIEF_EDITOR, EDITOR, MODERATOR, ROLES, may
from tests.security.conftest import login_as, logout, restore, rule_urls

PUBLIC = "public"  # no login needed
TOKEN = "token"  # no login: a bearer token of its own, and off (404) unless configured
ANY = "any"  # every logged-in user
SIGNED = "signed"  # no login: the site's HMAC signature is the credential (tests/duties)
# endpoint -> who may use it (a role means: that role and every role above it).
POLICY = {
    "static": PUBLIC,
    "auth.login": PUBLIC,
    "auth.favicon": PUBLIC,
    "health.healthz": PUBLIC,
    "prometheus.metrics_text": TOKEN,
    "intake.receive": SIGNED,
    "auth.logout": ANY,
    "auth.password": ANY,
    "queue.index": ANY,
    "queue.approved": ANY,
    "queue.group": ANY,
    "search.index": ANY,
    "stories.index": ANY,
    "stories.show": ANY,
    "overview.index": ANY,
    "channels.index": ANY,
    "queue.decide": MODERATOR,
    "queue.bulk": MODERATOR,
    "queue.decide_group": MODERATOR,
    "queue.keep_earliest": MODERATOR,
    "queue.flag_editor": MODERATOR,
    "queue.correct_sentiment": MODERATOR,
    "queue.correct_offensive": MODERATOR,
    "queue.claim": MODERATOR,
    "review.panel": ANY,
    "review.undo": MODERATOR,
    "review.undo_batch": MODERATOR,
    "column.index": EDITOR,
    "column.create": EDITOR,
    "column.builder": EDITOR,
    "column.add_section": EDITOR,
    "column.update_section": EDITOR,
    "column.remove_section": EDITOR,
    "column.select": EDITOR,
    "column.update_quote": EDITOR,
    "column.unselect": EDITOR,
    "column.move": EDITOR,
    "column.reorder": EDITOR,
    "column.preview": EDITOR,
    "column.mark_printed": EDITOR,
    "column.download": EDITOR,
    "column.archived": EDITOR,
    "column.override": EDITOR,
    "column.withdraw_override": EDITOR,
    "column.fix_quote": EDITOR,
    "metrics.index": EDITOR,
    "alerts.index": EDITOR,
    "alerts.retry": EDITOR,
    "alerts.rules": ADMIN,
    "alerts.save": ADMIN,
    "alerts.export_rules": ADMIN,
    "alerts.import_rules": ADMIN,
    "reports.index": EDITOR,
    "reports.generate": EDITOR,
    "reports.download": EDITOR,
    "reports.assess": EDITOR,
    "reports.send": EDITOR,
    "metrics.export_csv": EDITOR,
    **{f"drafts.{view}": EDITOR for view in ("new", "create", "show", "swap", "drop", "add")},
    "drafts.accept": EDITOR,
    "ranking.index": EDITOR,
    "ranking.download": EDITOR,
    "column.sign_off": CHIEF_EDITOR,
    "channels.act": ADMIN,
    "admin.user_list": ADMIN,
    "admin.add_user": ADMIN,
    "admin.change_role": ADMIN,
    "admin.set_disabled": ADMIN,
    "admin.reset_password": ADMIN,
    "stories.link": EDITOR,
    "stories.unlink": EDITOR,
    "push.write_reply": EDITOR,
    "push.sign_off": CHIEF_EDITOR,
    "push.withdraw": EDITOR,
    "push.edit_reply": EDITOR,
    "push.retry": MODERATOR,
    "push.switch": EDITOR,
    "push.emergency": ADMIN,
    "wordlists.index": ADMIN,
    "wordlists.add": ADMIN,
    "wordlists.remove": ADMIN,
    "rules.index": ADMIN,
    "rules.dry_run": ADMIN,
    "rules.save": ADMIN,
    "rules.move": ADMIN,
    "rules.switch": ADMIN,
    "rules.delete": ADMIN,
    "rules.export": ADMIN,
    "rules.import_rules": ADMIN,
    "authors.show": ANY,
    "authors.set_level": MODERATOR,
    "authors.add_note": MODERATOR,
    "authors.link": EDITOR,
    "modes.set_story_mode": EDITOR,
    "modes.emergency": ADMIN,
    "reasons.index": ADMIN,
    "reasons.save": ADMIN,
    "reasons.switch": ADMIN,
    "duties.report_queue": MODERATOR,
    "duties.report_outcome": MODERATOR,
    "duties.appeal_list": MODERATOR,
    "duties.decide_appeal": MODERATOR,
    "duties.records": ADMIN,
    "duties.records_export": ADMIN,
}


def form_for(endpoint: str, ids: dict) -> dict:
    """Form data that makes a permitted POST succeed (or fail softly with a message)."""
    return {
        "queue.bulk": {"action": "approve", "ids": str(ids["comment_id"]), "force": "1"},
        "queue.decide": {"reason": "ad", "force": "1"},
        "queue.decide_group": {"reason": "ad", "force": "1"},
        "queue.keep_earliest": {"force": "1"},
        "queue.correct_sentiment": {"label": "1"},
        "queue.correct_offensive": {"label": "1"},
        "queue.flag_editor": {"note": "请看看"},
        "admin.add_user": {"name": "newbie", "role": MODERATOR, "password": "long password"},
        "admin.change_role": {"role": EDITOR},
        "column.create": {"date": "2024-02-01"},
        "column.add_section": {"story_id": str(ids["story_id"])},
        "column.select": {"section_id": ids["section_id"], "comment_id": ids["approved_id"]},
        "column.reorder": {"kind": "section", "ids": str(ids["section_id"])},
        "column.update_section": {"heading": "标题"},
        "column.update_quote": {"excerpt": "摘录", "display_name": "读者"},
        "drafts.create": {"from": "2024-01-19", "to": "2024-01-25"},
        "drafts.swap": {"story_id": ids["story_id"], "pick_id": 1, "alternate_id": 2},
        "drafts.drop": {"story_id": ids["story_id"]},
        "drafts.add": {"story_id": ids["story_id"]},
        "drafts.accept": {"date": "2024-02-02"},
        "stories.link": {"target": str(ids["other_story_id"])},
        "wordlists.add": {"kind": "suspect", "word": "新词"},
        "wordlists.remove": {"word": ids["word"]},
        "rules.dry_run": {"source": 'name = "x"\naction = "approve"\n'},
        "rules.save": {"source": 'name = "x"\naction = "approve"\n'},
        "authors.set_level": {"level": "watch", "reason": "测试"},
        "authors.add_note": {"note": "备注"},
        "modes.set_story_mode": {"mode": "post"},
        "alerts.save": {"name": "负面", "kind": "negative_spike"},
        "reports.generate": {"kind": "daily", "date": "2024-01-25"},
        "push.write_reply": {"text": "感谢您的关注，我们已转交相关部门。"},
        "push.edit_reply": {"text": "感谢关注，已转交相关部门处理。"},
        "review.undo": {"state": "pending", "force": "1"},
        "duties.records_export": {"from": "2024-01-19", "to": "2024-01-25"},
        "review.undo_batch": {"after": "0", "upto": "1"},
    }.get(endpoint, {})


def expected_status(method: str, endpoint: str, role: str | None) -> str:
    """'ok' (2xx/3xx), 'login' (302 to the login page), 401, 403 for one cell."""
    policy = POLICY[endpoint]
    if endpoint == "auth.login" and method == "POST":
        return "401"  # wrong password for everyone: the form is public but checks it
    if policy == PUBLIC:
        return "ok"
    if policy == TOKEN:
        return "404"  # tests/web/test_prometheus.py covers the token itself
    if policy == SIGNED:
        return "signature refused"  # whoever is logged in: a session is no credential here
    if endpoint == "auth.logout" and role is not None:
        return "login"  # logging out ends on the login page
    if role is None:
        return "login" if method == "GET" else "401"
    if policy == ANY or may(role, policy):
        return "ok"
    return "403"


def outcome(response) -> str:
    """The observed cell, in the terms of expected_status."""
    status = response.status_code
    if status == 302 and "/login" in response.headers["Location"].split("?")[0]:
        return "login"
    if status in (401, 404) and response.is_json and "error" in response.get_json():
        return "signature refused"  # a JSON refusal: a bad signature or no such signed channel
    if status < 400:
        return "ok"
    return str(status)


def test_policy_table_matches_the_views(app):
    missing = {rule.endpoint for rule in app.url_map.iter_rules()} - POLICY.keys()
    assert not missing, f"add these endpoints to POLICY: {sorted(missing)}"
    for endpoint, policy in POLICY.items():
        declared = getattr(app.view_functions[endpoint], "required_role", None)
        if policy in ROLES:
            assert declared == policy, endpoint
        else:
            assert declared is None, endpoint


def test_authorization_matrix(app, client, db, world, world_template):
    cells, wrong = 0, []
    for method, endpoint, url in rule_urls(app, world):
        for role in (None, *ROLES):
            restore(db, world_template[0])
            if role is None:
                logout(client)
            else:
                login_as(client, world["users"][role])
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data=form_for(endpoint, world))
            assert response.status_code < 500, (method, url, role)
            expected = expected_status(method, endpoint, role)
            if outcome(response) != expected:
                wrong.append((method, url, role, expected, response.status_code))
            cells += 1
    print(f"authorization matrix: {cells} cells (routes x (4 roles + logged out))")
    assert not wrong, wrong
    assert cells >= 5 * 45
