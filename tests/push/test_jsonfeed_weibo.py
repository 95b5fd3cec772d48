"""The site's moderation endpoint (signed, idempotent) and Weibo's reply/destroy calls,
over real HTTP against local servers; the HMAC worked example of the docs is checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from moderation.collectors.base import CollectedComment, CollectedStory
from moderation.db import open_db
from moderation.push.jsonfeed import body_bytes, signature
from moderation.sending import push_outbox
from moderation.settings import load_settings
from moderation.storage import channels as channel_store
from moderation.storage import comments as comment_store
from moderation.storage import outbox
from moderation.storage import stories as story_store
from tests.helpers import ROOT, write_config
from tests.push.conftest import FAST_HTTP
from tests.push.servers import FakeSite, FakeWeibo, serving


def store(db, channel: str, story: str, comment_ids: list[str]) -> dict[str, int]:
    """Comments of one story as collected; native id -> comment id."""
    channel_store.ensure_channel(db, channel, "x")
    with db.atomic():
        stories = story_store.upsert_stories(db, channel, [CollectedStory(story, "公交新线路")])
        comment_store.save_comments(
            db,
            channel,
            [
                CollectedComment(
                    native_id=native,
                    story_native_id=story,
                    text=f"评论{native}",
                    created_at="2026-11-30T01:00:00+00:00",
                    author_key=f"a:{native}",
                )
                for native in comment_ids
            ],
            stories,
        )
    return {row["native_id"]: row["id"] for row in db.query("SELECT id, native_id FROM comments")}


def site_setup(tmp_path, url: str, push: str = "on"):
    """Settings and db for a jsonfeed channel whose moderation endpoint is at `url`."""
    channel = (
        f'[[channels]]\nname = "site"\ntype = "jsonfeed"\nfeed_url = "{url}/feed.json"\n'
        f'comments_url = "{url}/comments"\npush = "{push}"\n'
        f'moderation_url = "{url}/moderation"\nmoderation_secret_env = "ZZRB_SITE_SECRET"\n'
        f"{FAST_HTTP}"
    )
    settings = load_settings(write_config(tmp_path, channels=channel))
    db = open_db(settings)
    return settings, db, store(db, "site", "s-88", ["c-1", "c-2", "c-3"])


def test_site_gets_signed_actions_with_the_decision_as_idempotency_key(tmp_path):
    with serving(FakeSite("site-secret", {"c-1", "c-2", "c-3"})) as site:
        settings, db, ids = site_setup(tmp_path, site.url)
        comment_store.decide(db, ids["c-1"], "approve", actor="mod")
        comment_store.decide(db, ids["c-2"], "reject", actor="mod")
        assert push_outbox.deliver(db, settings).total("done") == 2
        assert site.state == {"c-1": "feature", "c-2": "delete"}
        decision_ids = [row["id"] for row in db.query("SELECT id FROM decisions ORDER BY id")]
        sent = [call.json() for call in site.calls]
        assert [body["decision_id"] for body in sent] == decision_ids
        assert [body["idempotency_key"] for body in sent] == [
            f"decision:{number}" for number in decision_ids
        ]
        assert all(body["timestamp"].endswith("+00:00") for body in sent)


def test_site_resend_after_a_lost_answer_is_applied_once(tmp_path):
    with serving(FakeSite("site-secret", {"c-1", "c-2", "c-3"})) as site:
        settings, db, ids = site_setup(tmp_path, site.url)
        site.hang_after_apply = 1
        comment_store.decide(db, ids["c-3"], "reject", actor="mod")
        assert push_outbox.deliver(db, settings).total("done") == 1
        assert len(site.calls) == 2 and site.effects[("delete", "c-3")] == 1
        [row] = db.query("SELECT id FROM outbox")
        tries = [s for s in outbox.sends(db, row["id"]) if s["outcome"] == outbox.ATTEMPT]
        assert [(t["path"], t["status"], t["answer"]) for t in tries] == [
            ("/moderation", None, "timed out"),
            ("/moderation", 200, "HTTP 200"),
        ]


def test_site_refusing_the_signature_stops_the_batch(tmp_path, monkeypatch):
    with serving(FakeSite("another-secret", {"c-1"})) as site:
        settings, db, ids = site_setup(tmp_path, site.url)
        comment_store.decide(db, ids["c-1"], "approve", actor="mod")
        report = push_outbox.deliver(db, settings)
        assert "凭证被拒" in report.stopped["site"]
        assert site.state == {}
        [row] = db.query("SELECT state, note FROM outbox")
        assert row["state"] == "pending" and "401" in row["note"]


def test_documented_worked_hmac_example_is_right():
    page = Path(ROOT, "docs", "channels-and-push.md").read_text(encoding="utf-8")
    section = page[page.index("#### Worked example") :]
    body = re.search(r"```json\n(.*?)\n```", section, re.S).group(1)
    header = re.search(r"X-ZZRB-Signature: (sha256=[0-9a-f]{64})", section).group(1)
    fields = {
        "action": "delete",
        "comment_id": "c-1042",
        "decision_id": 5127,
        "idempotency_key": "decision:5127",
        "story_id": "s-88",
        "text": None,
        "timestamp": "2026-11-30T02:15:00+00:00",
    }
    assert body.encode() == body_bytes(fields)
    assert header == signature("zzrb-demo-secret", body.encode())


def weibo_setup(tmp_path, url: str, extra: str = ""):
    """Settings and db for a Weibo channel at `url`."""
    channel = (
        f'[[channels]]\nname = "wb"\ntype = "weibo"\nbase_url = "{url}"\npush = "on"\n'
        f"{FAST_HTTP}{extra}\n"
        '[[channels.statuses]]\nid = "4990000000000001"\ntitle = "公交新线路"\n'
    )
    settings = load_settings(write_config(tmp_path, channels=channel))
    db = open_db(settings)
    return settings, db, store(db, "wb", "4990000000000001", ["5001", "5002"])


def test_weibo_reject_deletes_only_with_destroy_biz(tmp_path):
    with serving(FakeWeibo("weibo-token", {"5001", "5002"})) as weibo:
        settings, db, ids = weibo_setup(tmp_path, weibo.url)
        comment_store.decide(db, ids["5001"], "reject", actor="mod")
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0

        folder = tmp_path / "biz"
        folder.mkdir()
        settings, db, ids = weibo_setup(folder, weibo.url, "destroy_biz = true")
        comment_store.decide(db, ids["5002"], "reject", actor="mod")
        assert push_outbox.deliver(db, settings).total("done") == 1
        [call] = weibo.calls
        assert call.path == "/2/comments/destroy/biz.json" and call.form() == {"cid": "5002"}
        assert "5002" not in weibo.comments


def test_weibo_reply_after_sign_off_is_a_comments_reply_call(tmp_path):
    from moderation.storage import replies

    with serving(FakeWeibo("weibo-token", {"5001", "5002"})) as weibo:
        settings, db, ids = weibo_setup(tmp_path, weibo.url)
        with pytest.raises(replies.ReplyError, match="140 字上限"):
            replies.write(db, ids["5001"], "长" * 141, author="编辑")
        reply = replies.write(db, ids["5001"], "感谢关注，已转交相关部门。", author="编辑")
        replies.sign_off(db, reply["id"], chief="总编")
        assert push_outbox.deliver(db, settings).total("done") == 1
        [call] = weibo.calls
        assert call.path == "/2/comments/reply.json"
        assert call.form() == {
            "cid": "5001",
            "id": "4990000000000001",
            "comment": "感谢关注，已转交相关部门。",
        }
        assert call.args == {"access_token": "weibo-token"}


@pytest.mark.parametrize(
    "status, code, state, note",
    [
        (400, "20201", outbox.DONE, "已不在微博上"),  # the comment is gone: the delete is done
        (403, "10023", outbox.WAITING, "配额用尽"),  # a spent quota pauses the channel
        (200, "10024", outbox.WAITING, "配额用尽"),  # an error is an error even with HTTP 200
        (400, "21327", outbox.WAITING, "凭证被拒"),  # an expired token waits for an operator
        (200, 20003, outbox.FAILED, "error_code 20003"),
    ],
)
def test_weibo_error_code_decides_whatever_its_type_and_the_http_status(
    tmp_path, status, code, state, note
):
    """The wiki's error examples quote error_code as a string ("20502"); a rate limit comes
    with HTTP 403. Read as a number, each ends the delete as Weibo meant it."""
    with serving(FakeWeibo("weibo-token", {"5001", "5002"})) as weibo:
        settings, db, ids = weibo_setup(tmp_path, weibo.url, "destroy_biz = true")
        weibo.answers.append(
            (status, {"request": "/2/comments/destroy/biz.json", "error_code": code, "error": "x"})
        )
        comment_store.decide(db, ids["5001"], "reject", actor="mod")
        push_outbox.deliver(db, settings)
        [row] = db.query("SELECT state, note FROM outbox")
        assert row["state"] == state and note in row["note"]


def test_weibo_destroy_biz_goes_to_the_commercial_host(tmp_path):
    """comments/destroy/biz is served on c.api.weibo.com, not on the open API's host."""
    open_api = FakeWeibo("weibo-token", {"5001"})
    commercial = FakeWeibo("weibo-token", {"5001"})
    with serving(open_api), serving(commercial):
        extra = f'destroy_biz = true\nbiz_base_url = "{commercial.url}"'
        settings, db, ids = weibo_setup(tmp_path, open_api.url, extra)
        comment_store.decide(db, ids["5001"], "reject", actor="mod")
        assert push_outbox.deliver(db, settings).total("done") == 1
        assert open_api.calls == [] and [c.path for c in commercial.calls] == [
            "/2/comments/destroy/biz.json"
        ]


@pytest.mark.parametrize(
    "base_url, biz_base_url, expected",
    [
        ("https://api.weibo.com", "", "https://c.api.weibo.com"),
        ("https://api.weibo.com/", "", "https://c.api.weibo.com"),
        ("http://127.0.0.1:8080", "", "http://127.0.0.1:8080"),
        ("https://api.weibo.com", "https://biz.example/", "https://biz.example"),
    ],
)
def test_weibo_commercial_address(base_url, biz_base_url, expected):
    from moderation.collectors import weibo

    options = weibo.Options(base_url=base_url, biz_base_url=biz_base_url)
    assert weibo.biz_base(options) == expected


def run_check(settings, channel: str):
    """`moderation push --check CHANNEL`: (exit code, its one line)."""
    from click.testing import CliRunner

    from moderation.cli import main

    result = CliRunner().invoke(main, ["--config", settings.source, "push", "--check", channel])
    return result.exit_code, result.output.strip()


def test_push_check_reads_the_site_and_says_whether_pushes_can_be_signed(tmp_path, monkeypatch):
    with serving(FakeSite("site-secret", {"c-1"})) as site:
        settings, _db, _ids = site_setup(tmp_path, site.url)
        code, line = run_check(settings, "site")
        assert code == 0 and line.startswith("site：可以读取评论（第一页 0 篇稿件、0 条评论）")
        assert "推送已开启：通过→" in line
        monkeypatch.delenv("ZZRB_SITE_SECRET")
        code, line = run_check(settings, "site")
        assert code == 1 and "不能推送：环境变量 ZZRB_SITE_SECRET 未设置" in line
        assert sum(site.effects.values()) == 0  # reads only


def test_push_check_reads_weibo_with_the_token(tmp_path, monkeypatch):
    with serving(FakeWeibo("weibo-token", {"5001"})) as weibo:
        settings, _db, _ids = weibo_setup(tmp_path, weibo.url)
        code, line = run_check(settings, "wb")
        assert code == 0 and "可以读取评论（第一页 1 篇稿件、0 条评论）" in line
        monkeypatch.setenv("ZZRB_WEIBO_TOKEN", "expired")
        code, line = run_check(settings, "wb")
        assert code == 1 and line.startswith("wb：凭证被拒") and "21327" in line
        assert sum(weibo.effects.values()) == 0
