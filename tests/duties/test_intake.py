"""The signed intake endpoint over real HTTP: reports and appeals (signature, bounds,
duplicates, rate), the commenter's IP mapped to a region, nothing of the reporter kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from moderation import create_app
from moderation.push.jsonfeed import body_bytes
from moderation.storage import authors, reader_reports
from moderation.storage import comments as comment_store
from tests.browser_support import live_server
from tests.duties.conftest import Site, as_json, make_desk, site_channel


def test_report_is_received_and_stored_with_a_digest_not_the_token(desk):
    _settings, db, ids, _app, site = desk
    answer = as_json(site.report("c-1", "reader-token-77", "辱骂攻击", text="骂人", report_id=901))
    assert answer["http"] == 201 and answer["status"] == "received"
    [row] = db.query("SELECT * FROM reader_reports")
    assert row["comment_id"] == ids["c-1"] and row["reason"] == "辱骂攻击"
    assert row["site_report_id"] == "901" and row["text"] == "骂人"
    assert "reader-token-77" not in str(row) and len(row["reporter_digest"]) == 64


def test_the_same_reader_reporting_again_is_a_duplicate_not_a_second_report(desk):
    _settings, db, _ids, _app, site = desk
    first = as_json(site.report("c-1", "reader-a"))
    again = as_json(site.report("c-1", "reader-a", "谣言"))
    other = as_json(site.report("c-1", "reader-b"))
    assert (first["http"], again["http"], other["http"]) == (201, 200, 201)
    assert again == {"http": 200, "id": first["id"], "status": "duplicate"}
    assert db.execute("SELECT COUNT(*) FROM reader_reports").fetchone()[0] == 2


def test_a_bad_signature_is_refused_and_nothing_stored(desk):
    _settings, db, _ids, _app, site = desk
    fields = {"type": "report", "comment_id": "c-1", "reporter": "r", "reason": "广告"}
    answer = site.post(fields, secret="not-the-secret")
    assert answer.status_code == 401
    assert db.execute("SELECT COUNT(*) FROM reader_reports").fetchone()[0] == 0


def test_a_body_changed_after_signing_is_refused(desk):
    _settings, db, _ids, _app, site = desk
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    fields = {"type": "report", "comment_id": "c-1", "reporter": "r", "reason": "广告",
              "timestamp": stamp}  # fmt: skip
    signed = body_bytes(fields)
    import requests

    from moderation.push.jsonfeed import signature

    tampered = signed.replace(b"c-1", b"c-2")
    answer = requests.post(
        f"{site.base_url}/intake/site",
        data=tampered,
        headers={"X-ZZRB-Signature": signature("site-secret", signed)},
        timeout=10,
    )
    assert answer.status_code == 401
    assert db.execute("SELECT COUNT(*) FROM reader_reports").fetchone()[0] == 0


def test_an_old_timestamp_is_refused_as_a_replay(desk):
    _settings, _db, _ids, _app, site = desk
    old = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    answer = site.report("c-1", "r", timestamp=old)
    assert answer.status_code == 400 and "timestamp" in answer.json()["error"]


def test_unknown_reason_long_text_and_unknown_comment_are_refused(desk):
    _settings, db, _ids, _app, site = desk
    assert site.report("c-1", "r", "不喜欢").status_code == 400
    assert site.report("c-1", "r", "其他", text="长" * 501).status_code == 400
    assert site.report("c-404", "r").status_code == 404
    assert site.report("c-1", "", "其他").status_code == 400
    assert db.execute("SELECT COUNT(*) FROM reader_reports").fetchone()[0] == 0
    assert site.report("c-1", "r", "其他", text="长" * 500).status_code == 201


def test_a_reader_is_bounded_per_hour(desk):
    settings, db, _ids, _app, site = desk
    limit = settings.reports.per_reporter_per_hour
    db.execute("DELETE FROM reader_reports")
    for number in range(limit):
        db.execute(
            "INSERT INTO comments (channel, native_id, story_id, author_key, text, created_at, "
            "collected_at, status, status_at) SELECT channel, 'extra-' || ?, story_id, "
            "author_key, text, created_at, collected_at, status, status_at FROM comments "
            "WHERE native_id = 'c-1'",
            [number],
        )
    db.conn.commit()
    statuses = [site.report(f"extra-{n}", "busy-reader").status_code for n in range(limit)]
    assert statuses == [201] * limit
    refused = site.report("c-1", "busy-reader")
    assert refused.status_code == 429
    assert site.report("c-1", "calm-reader").status_code == 201


def test_an_oversized_body_and_non_json_are_refused(desk):
    _settings, _db, _ids, _app, site = desk
    assert site.post({}, raw=b"{" + b" " * 20000 + b"}").status_code == 413
    assert site.post({}, raw="不是JSON".encode()).status_code == 400
    assert site.post({"type": "vote"}).status_code == 400


def test_an_unknown_channel_is_not_found(desk):
    _settings, _db, _ids, _app, site = desk
    import requests

    answer = requests.post(f"{site.base_url}/intake/demo", data=b"{}", timeout=10)
    assert answer.status_code == 404


def test_appeal_on_a_rejected_comment_and_refused_for_an_approved_one(desk):
    _settings, db, ids, _app, site = desk
    comment_store.decide(db, ids["c-2"], "reject", "王审核", "abuse")
    appeal = {"type": "appeal", "kind": "comment", "appellant": "author-token", "text": "我没骂人"}
    first = site.post({**appeal, "comment_id": "c-2", "appeal_id": "a-1"})
    again = site.post({**appeal, "comment_id": "c-2"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert site.post({**appeal, "comment_id": "c-3"}).status_code == 409
    [row] = db.query("SELECT * FROM appeals")
    assert row["first_decider"] == "王审核" and row["author_key"] == "site:u-c-2"


def test_appeal_against_a_mute(desk):
    _settings, db, _ids, _app, site = desk
    authors.set_level(db, "site:u-c-4", "muted", "李审核", "多次辱骂")
    fields = {"type": "appeal", "kind": "mute", "author_id": "u-c-4", "appellant": "t"}
    assert site.post(fields).status_code == 201
    assert site.post({**fields, "author_id": "u-c-1"}).status_code == 409
    [row] = db.query("SELECT kind, first_decider, comment_id FROM appeals")
    assert row == {"kind": "mute", "first_decider": "李审核", "comment_id": None}


def test_commenter_ip_becomes_a_region_and_the_address_is_not_kept(desk):
    _settings, db, ids, _app, site = desk
    answer = site.post({"type": "comment_ip", "comment_id": "c-1", "ip": "222.246.129.80"})
    assert answer.json() == {"region": "湖南"}
    [row] = db.query("SELECT comment_id, region, ip FROM comment_regions")
    assert row == {"comment_id": ids["c-1"], "region": "湖南", "ip": None}
    private = site.post({"type": "comment_ip", "comment_id": "c-2", "ip": "192.168.1.5"})
    assert private.json() == {"region": None}


def test_reports_show_counts_not_reporters_in_the_queue(desk):
    _settings, db, ids, _app, site = desk
    site.report("c-1", "secret-reader-1", "广告")
    site.report("c-1", "secret-reader-2", "谣言", text="假消息")
    site.report("c-2", "secret-reader-1", "广告")
    rows = reader_reports.queue(db)
    assert [row["id"] for row in rows] == [ids["c-1"], ids["c-2"]]
    assert rows[0]["reports"] == 2 and rows[0]["reasons"] == {"广告": 1, "谣言": 1}
    assert rows[0]["notes"] == ["假消息"]
    assert "secret-reader" not in repr(rows)


def test_intake_needs_no_csrf_token_but_its_signature(tmp_path, site_env):
    settings, db, _ids, _app = make_desk(tmp_path, site_channel())
    csrf_app = create_app(settings, TESTING=True, SECRET_KEY="test")  # CSRF on, as deployed
    with live_server(csrf_app) as base_url:
        site = Site(base_url)
        assert site.report("c-1", "reader").status_code == 201
        fields = {"type": "report", "comment_id": "c-2", "reporter": "r", "reason": "广告"}
        assert site.post(fields, secret="wrong").status_code == 401
    db.close()
