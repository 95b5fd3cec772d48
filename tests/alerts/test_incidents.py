"""Alerts as incidents, end to end over real local robots and a real SMTP server: what leaves
the desk is masked and inert; a flood, a pause and a second flood on one story are one
incident, updated, ended once with one 解除 message."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from moderation.alerts.mail import MailTarget
from moderation.alerts.targets import RobotTarget
from moderation.sending.alert_delivery import dispatch
from moderation.sending.alert_evaluation import evaluate
from moderation.storage import alerts as store
from moderation.storage import stories
from moderation.timeutil import iso
from tests.alerts.robot_servers import HOOK, KEY, SECRET, TOKEN, fast_robots, robot_server
from tests.alerts.smtp_server import PASSWORD, USER, smtp_server
from tests.web.conftest import add_comment, add_score

START = datetime(2024, 1, 23, 15, 0, tzinfo=UTC)  # 23:00 Beijing time
PHONE, ID_NUMBER = "13787654321", "11010519491231002X"
LABELS = {"demo": "掌上株洲"}
PATHS = {
    "wecom": ("/cgi-bin/webhook/send", "T_WECOM_KEY"),
    "dingtalk": ("/robot/send", "T_DING_TOKEN"),
    "feishu": ("/open-apis/bot/v2/hook", "T_FEISHU_HOOK"),
}


@pytest.fixture
def secrets(monkeypatch, tmp_path):
    """Robot keys and SMTP login in the environment; fast robot timeouts; the test CA."""
    for name, value in (
        ("T_WECOM_KEY", KEY), ("T_DING_TOKEN", TOKEN), ("T_FEISHU_HOOK", HOOK),
        ("T_SECRET", SECRET), ("T_SMTP_USER", USER), ("T_SMTP_PASSWORD", PASSWORD),
    ):  # fmt: skip
        monkeypatch.setenv(name, value)
    fast_robots(monkeypatch, read_timeout=2)
    ca = trustme.CA()
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return ca, str(cafile)


def robot(kind: str, url: str) -> RobotTarget:
    """The robot target `kind` at a local server's `url`, signed where the platform signs."""
    path, key_env = PATHS[kind]
    secret = "" if kind == "wecom" else "T_SECRET"
    return RobotTarget(name=kind, kind=kind, url=url + path, key_env=key_env, secret_env=secret)


def mailbox_target(port: int, cafile: str) -> MailTarget:
    """The 总编室's mailbox over the local STARTTLS server."""
    return MailTarget(
        name="mail",
        host="127.0.0.1",
        port=port,
        sender="moderation@zzrb.test",
        recipients=("chief@zzrb.test",),
        username_env="T_SMTP_USER",
        password_env="T_SMTP_PASSWORD",
        cafile=cafile,
        timeout=5,
    )


def story_with_url(db, native: str, title: str) -> int:
    """A story with its article address and publication time."""
    story_id = stories.placeholder_story(db, "demo", native)
    db.execute(
        "UPDATE stories SET title = ?, url = ?, published_at = ? WHERE id = ?",
        [title, f"https://www.zznews.gov.cn/news/{native}.html", "2024-01-23T10:00:00+00:00",
         story_id],
    )  # fmt: skip
    return story_id


def deliver_everywhere(db, secrets, now: datetime):
    """Dispatch what is due to three local robots and a local mailbox; what each received."""
    ca, cafile = secrets
    with (
        robot_server("wecom") as wecom,
        robot_server("dingtalk") as ding,
        robot_server("feishu") as feishu,
        smtp_server(ca) as mailbox,
    ):
        configured = {
            "wecom": robot("wecom", wecom.url),
            "dingtalk": robot("dingtalk", ding.url),
            "feishu": robot("feishu", feishu.url),
            "mail": mailbox_target(mailbox.port, cafile),
        }
        tally = dispatch(db, configured, now, base_url="http://desk.zzrb.test")
    bodies = [json.dumps(body, ensure_ascii=False) for r in (wecom, ding, feishu)
              for body in r.received]  # fmt: skip
    return tally, bodies, mailbox.messages


def test_keyword_alert_leaves_the_desk_masked(db, secrets, app, client, auth):
    story = story_with_url(db, "crash", "京港澳高速株洲段车祸")
    text = f"出车祸了！肇事司机电话{PHONE}，身份证{ID_NUMBER}，大家帮忙转发"
    comment = add_comment(db, text, story, "路人", iso(START - timedelta(minutes=2)))
    add_score(db, comment, sentiment=0.1)
    rule = {"name": "车祸", "kind": "keyword", "params": {"words": ["车祸"]},
            "targets": ["wecom", "dingtalk", "feishu", "mail"]}  # fmt: skip
    store.save_rule(db, rule, "admin")

    assert len(evaluate(db, START, labels=LABELS).fired) == 1
    tally, bodies, mails = deliver_everywhere(db, secrets, START)

    assert tally.delivered == 4 and len(bodies) == 3 and len(mails) == 1
    [mail] = mails
    sent = [*bodies, mail["Subject"], mail.get_body(("plain",)).get_content()]
    for text_sent in sent:
        assert PHONE not in text_sent and ID_NUMBER not in text_sent
        assert "1101051949" not in text_sent  # no part of the ID number either
    assert all("137****4321" in body for body in bodies)
    body = mail.get_body(("plain",)).get_content()
    assert "137****4321" in body and "渠道分布：掌上株洲 1 条" in body
    assert "https://www.zznews.gov.cn/news/crash.html" in body  # the original article
    assert "http://desk.zzrb.test/stories/" in body  # the desk
    auth.login("editor")
    page = client.get("/alerts").get_data(as_text=True)
    assert PHONE not in page and ID_NUMBER not in page and "137****4321" in page


def test_markdown_and_line_breaks_from_readers_and_titles_are_inert(db, secrets):
    title = "大桥\r\n### 假标题 [点我](http://evil.example/)\nBcc: all@zzrb.test"
    story = story_with_url(db, "bridge", title)
    text = "桥上出事故了 [点此领奖](http://evil.example/prize) **快看**\r\n# 标题"
    comment = add_comment(db, text, story, "读者", iso(START - timedelta(minutes=2)))
    add_score(db, comment)
    rule = {"name": "事故", "kind": "keyword", "params": {"words": ["事故"]},
            "targets": ["wecom", "dingtalk", "feishu", "mail"]}  # fmt: skip
    store.save_rule(db, rule, "admin")
    evaluate(db, START, labels=LABELS)
    [stored] = store.recent_alerts(db)
    assert "[点我](http" in stored["title"] and "\n" not in stored["title"]  # /alerts: as written
    tally, bodies, mails = deliver_everywhere(db, secrets, START)
    assert tally.delivered == 4
    for body in bodies:
        assert "http://evil" not in body  # no link a robot would follow
        assert body.count("](http") in (0, 2)  # our two Markdown links only (飞书: none)
        assert "\\n###" not in body.replace("\\n### 【评论预警】", "")  # only our heading
        assert "**快看**" not in body
    [mail] = mails
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]
    assert mail["Bcc"] is None  # no header smuggled in through the title


def calm_week(db, story: int) -> None:
    """A week of ordinary comments under the story: one in ten negative."""
    for day in range(1, 8):
        for n in range(10):
            moment = START - timedelta(days=day, minutes=n * 7)
            comment = add_comment(db, f"平常的评论{day}-{n}", story, f"老读者{n}", iso(moment))
            add_score(db, comment, sentiment=0.1 if n == 0 else 0.8)


def flood(db, story: int, at: datetime, count: int, tag: str) -> None:
    """`count` negative comments in the ten minutes before `at`."""
    for n in range(count):
        moment = at - timedelta(minutes=10) + timedelta(seconds=n * 15)
        text = f"停电{tag}第{n}条：小区从早上停到现在，物业电话打不通，太气人了"
        comment = add_comment(db, text, story, f"{tag}读者{n}", iso(moment))
        add_score(db, comment, sentiment=0.05)


def test_flood_pause_second_flood_is_one_incident_updated_and_ended_once(db, secrets):
    story = story_with_url(db, "snow", "下雪啦")
    calm_week(db, story)
    rule = {"name": "负面评论激增", "kind": "negative_spike", "targets": ["wecom", "mail"]}
    store.save_rule(db, rule, "admin")
    words = {"words": ["停电"], "window_minutes": 30}
    keyword = {"name": "停电", "kind": "keyword", "params": words, "targets": ["wecom"]}
    store.save_rule(db, keyword, "admin")
    received, mails = [], []

    def at(minutes: int):
        now = START + timedelta(minutes=minutes)
        result = evaluate(db, now, labels=LABELS, update_minutes=15, quiet_minutes=60)
        _, bodies, sent = deliver_everywhere(db, secrets, now)
        received.extend(json.loads(body)["markdown"]["content"] for body in bodies)
        mails.extend(sent)
        return result

    flood(db, story, START, 20, "一")
    assert len(at(0).fired) == 1  # both rules see the story: one incident, one message
    assert at(5).updated == 0  # still flooding, an update is not due yet
    assert at(40).kept == 1  # the pause: quiet, still open
    flood(db, story, START + timedelta(minutes=70), 30, "二")
    assert at(70).updated == 1 and at(75).updated == 0  # the second wave: one update
    assert at(110).cleared == 0  # quiet again
    assert at(171).cleared == 1  # an hour quiet: ended
    assert at(240).fired == [] and at(240).cleared == 0

    [incident] = store.recent_alerts(db)
    assert incident["cleared_at"] == iso(START + timedelta(minutes=171))
    assert incident["updates"] == 1 and set(incident["kinds"].split()) == {
        "negative_spike",
        "keyword",
    }
    assert incident["detail"]["baseline"] == pytest.approx(0.1, abs=0.01)  # before the flood
    assert incident["detail"]["peak"] >= 30
    kinds = [content.splitlines()[0] for content in received]
    assert [line[4:10] for line in kinds] == ["【评论预警】", "【预警更新】", "【预警解除】"]
    opened, update, ended = received
    assert opened.count("例：") >= 2 and "渠道分布：掌上株洲 20 条" in opened
    assert "负面评论激增" in opened and "出现关键词「停电」" in opened
    assert "待审 " in opened and "稿件发布于 01-23 18:00" in opened
    assert "[查看原文](https://www.zznews.gov.cn/news/snow.html)" in opened
    assert "(第 1 次更新)" in update.replace("（", "(").replace("）", ")")
    assert "二读者" not in update and "停电二第" in update  # new samples of the second wave
    assert "预警解除" in ended and "更新 1 次" in ended
    assert [mail["Subject"][:6] for mail in mails] == [
        "【评论预警】",
        "【预警更新】",
        "【预警解除】",
    ]


def test_usually_negative_story_can_still_spike(db):
    story = stories.placeholder_story(db, "demo", "angry")
    for day in range(1, 8):  # every day, 6 of 10 comments are negative
        for n in range(10):
            moment = START - timedelta(days=day, minutes=n * 7)
            comment = add_comment(db, f"评论{day}-{n}", story, f"甲{n}", iso(moment))
            add_score(db, comment, sentiment=0.05 if n < 6 else 0.8)
    store.save_rule(db, {"name": "负面", "kind": "negative_spike"}, "admin")
    flood(db, story, START, 20, "一")
    assert len(evaluate(db, START).fired) == 1  # 100% against a usual 60%
    [incident] = store.recent_alerts(db)
    assert re.search(r"本稿此前 6\d%", incident["detail"]["lines"][0])


def test_new_story_is_judged_against_its_channel_not_zero(db):
    old = stories.placeholder_story(db, "demo", "old")
    calm_week(db, old)
    new = stories.placeholder_story(db, "demo", "new")
    flood(db, new, START, 12, "一")
    store.save_rule(db, {"name": "负面", "kind": "negative_spike"}, "admin")
    assert len(evaluate(db, START).fired) == 1
    [incident] = store.recent_alerts(db)
    assert "该渠道平时 10%" in incident["detail"]["lines"][0]  # not "平时 0%"


def test_alerts_page_shows_the_incident_its_kinds_updates_and_messages(db, client, auth):
    story = story_with_url(db, "snow", "下雪啦")
    calm_week(db, story)
    for rule in (
        {"name": "负面评论激增", "kind": "negative_spike", "targets": ["desk"]},
        {"name": "停电", "kind": "keyword", "params": {"words": ["停电"]}, "targets": ["desk"]},
    ):
        store.save_rule(db, rule, "admin")
    flood(db, story, START, 20, "一")
    evaluate(db, START, labels=LABELS)
    flood(db, story, START + timedelta(minutes=20), 25, "二")
    assert evaluate(db, START + timedelta(minutes=20), labels=LABELS).updated == 1
    auth.login("editor")
    page = client.get("/alerts").get_data(as_text=True)
    assert page.count('data-alert="') == 1  # one incident
    assert "负面评论激增" in page and "关键词" in page and "已更新 1 次" in page
    assert "desk（更新）" in page and "进行中" in page


def test_storm_that_goes_on_stays_one_open_incident(db):
    """As found: 32 negative of 45 in 30 minutes on a new story fired, then cleared after
    six minutes once an early comment slid into the story's own baseline (1/1 = 100%)."""
    calm_week(db, stories.placeholder_story(db, "demo", "other"))  # the channel: 10% usual
    story = stories.placeholder_story(db, "demo", "storm")
    for n in range(45):
        moment = START - timedelta(minutes=30) + timedelta(seconds=n * 40)
        comment = add_comment(db, f"风暴评论{n}", story, f"风暴{n}", iso(moment))
        add_score(db, comment, sentiment=0.05 if n % 3 else 0.9)  # 30 of 45 negative
    store.save_rule(db, {"name": "负面", "kind": "negative_spike", "targets": ["desk"]}, "a")
    assert len(evaluate(db, START).fired) == 1
    for minute in range(1, 16):  # the storm goes on: two more negative comments a minute
        for extra in range(2):
            moment = START + timedelta(minutes=minute - 1, seconds=extra * 20)
            comment = add_comment(db, f"继续{minute}-{extra}", story, f"续{minute}{extra}",
                                  iso(moment))  # fmt: skip
            add_score(db, comment, sentiment=0.05)
        result = evaluate(db, START + timedelta(minutes=minute))
        assert result.fired == [] and result.cleared == 0
    [incident] = store.recent_alerts(db)
    assert incident["cleared_at"] is None and incident["quiet_since"] is None
    assert incident["detail"]["baseline_source"] == "该渠道平时"


def test_alerts_page_masks_alerts_stored_before_masking(db, client, auth):
    rule_id = store.save_rule(db, {"name": "关键词", "kind": "keyword"}, "admin")
    raw = {"rule_id": rule_id, "condition": "story:1", "title": f"《司机电话{PHONE}》",
           "detail": {"lines": [f"例：…司机电话{PHONE}…身份证{ID_NUMBER}"]}}  # fmt: skip
    store.fire_alert(db, raw, [], iso(START))
    auth.login("editor")
    page = client.get("/alerts").get_data(as_text=True)
    assert PHONE not in page and ID_NUMBER not in page and "137****4321" in page


def test_a_condition_of_a_new_kind_between_updates_is_still_posted(db):
    """As found: a keyword seen five minutes into a negative storm was merged into the
    incident silently; by the time an update was due it no longer counted as new, so the
    duty group never heard of it (nor did a target only the keyword rule names)."""
    story = story_with_url(db, "road", "主干道施工")
    calm_week(db, story)
    spike = {"name": "负面评论激增", "kind": "negative_spike", "targets": ["wecom"]}
    store.save_rule(db, spike, "admin")
    words = {"words": ["身份证"], "window_minutes": 60}
    keyword = {"name": "身份证", "kind": "keyword", "params": words, "targets": ["mail"]}
    store.save_rule(db, keyword, "admin")
    flood(db, story, START, 20, "一")
    assert len(evaluate(db, START, update_minutes=15).fired) == 1
    moment = START + timedelta(minutes=4)
    comment = add_comment(db, "工地捡到一张身份证，失主请联系", story, "好心人", iso(moment))
    add_score(db, comment, sentiment=0.9)
    assert evaluate(db, START + timedelta(minutes=5), update_minutes=15).updated == 0  # not due
    assert evaluate(db, START + timedelta(minutes=16), update_minutes=15).updated == 1
    [incident] = store.recent_alerts(db)
    messages = db.execute(
        "SELECT target, message FROM alert_deliveries WHERE alert_id = ? ORDER BY id",
        [incident["id"]],
    ).fetchall()
    assert [target for target, _ in messages] == ["wecom", "wecom", "mail"]
    assert "身份证" in messages[-1][1]
    assert evaluate(db, START + timedelta(minutes=32), update_minutes=15).updated == 0
