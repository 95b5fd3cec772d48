"""Records kept at least 180 days: a retention under that is refused (setting, option,
storage), the purge keeps what is younger or still open, and `moderation records export`
writes the range as CSV (UTF-8 with BOM, Beijing times, the text as decided) with its own
audit entry."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main
from moderation.collectors.base import CollectedComment
from moderation.db import open_db
from moderation.declare import SettingsError
from moderation.settings import load_settings
from moderation.storage import authors, duty_records, reader_reports, regions
from moderation.storage import comments as comment_store
from moderation.timeutil import iso
from tests.duties.conftest import site_channel, store_site_comments
from tests.helpers import ROOT, Auth, write_config


@pytest.fixture
def site_db(tmp_path):
    """(config path, db, ids) for a site channel with stored comments."""
    config = write_config(tmp_path, channels=site_channel())
    db = open_db(load_settings(config))
    ids = store_site_comments(db)
    yield config, db, ids
    db.close()


def add_report(db, comment_id: int, digest: str, closed_days_ago: int | None) -> None:
    """A report received long ago, closed `closed_days_ago` days ago (None: still open)."""
    now = datetime.now(UTC)
    closed = None if closed_days_ago is None else iso(now - timedelta(days=closed_days_ago))
    db.table("reader_reports").insert(
        {
            "comment_id": comment_id,
            "channel": "site",
            "reporter_digest": digest,
            "reason": "广告",
            "received_at": iso(now - timedelta(days=400)),
            "due_at": iso(now - timedelta(days=399)),
            "state": "open" if closed is None else "dismissed",
            "closed_at": closed,
            "closed_by": None if closed is None else "王审核",
        }
    )
    db.conn.commit()


def test_a_records_retention_under_180_days_is_refused_by_the_setting(tmp_path):
    config = write_config(tmp_path, extra="\n[retention]\nrecords_days = 90\n")
    with pytest.raises(SettingsError, match="records_days: must be 180 to 3650, got 90"):
        load_settings(config)
    result = subprocess.run(
        [sys.executable, "-m", "moderation.cli", "--config", str(config), "purge"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2 and "records_days" in result.stderr


def test_purge_refuses_fewer_than_180_days_and_deletes_nothing(site_db):
    config, db, ids = site_db
    add_report(db, ids["c-1"], "d1", closed_days_ago=400)
    refused = CliRunner().invoke(main, ["--config", str(config), "purge", "--records-days", "90"])
    assert refused.exit_code == 2 and "180" in refused.output
    with pytest.raises(duty_records.RetentionError, match="at least 180 days"):
        duty_records.purge_closed(db, 179)
    assert db.execute("SELECT COUNT(*) FROM reader_reports").fetchone()[0] == 1


def test_purge_keeps_open_and_younger_records(site_db):
    config, db, ids = site_db
    add_report(db, ids["c-1"], "old-closed", closed_days_ago=200)
    add_report(db, ids["c-1"], "young-closed", closed_days_ago=100)
    add_report(db, ids["c-2"], "old-open", closed_days_ago=None)
    result = CliRunner().invoke(main, ["--config", str(config), "purge", "--records-days", "180"])
    assert result.exit_code == 0, result.output
    assert "purged 1 reports and appeals" in result.output
    left = sorted(row[0] for row in db.execute("SELECT reporter_digest FROM reader_reports"))
    assert left == ["old-open", "young-closed"]


def test_records_export_writes_the_text_as_decided_in_beijing_time_and_audits(site_db, tmp_path):
    config, db, ids = site_db
    comment_store.decide(db, ids["c-1"], "reject", "王审核", "abuse")
    with db.atomic():  # the reader edits the comment after the decision
        comment_store.save_comments(
            db,
            "site",
            [
                CollectedComment(
                    native_id="c-1",
                    story_native_id="s-88",
                    text="改过的新内容",
                    created_at="2026-11-30T01:00:00+00:00",
                    author_key="site:u-c-1",
                )
            ],
            {},
        )
        regions.save_region(db, ids["c-1"], "222.246.129.80", False, "site")
    reader_reports.file_report(
        db,
        channel="site",
        comment_native_id="c-2",
        reason="谣言",
        digest="secret-digest-of-reader",
        text="联系我 13812345678",
        now=datetime.now(UTC),
        per_hour=10,
        time_limit_hours=24,
        text_chars=500,
    )
    authors.set_level(db, "site:u-c-3", "muted", "李审核", "刷屏")
    output = tmp_path / "records.csv"
    today = datetime.now(UTC).date()
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "records",
            "export",
            "--from",
            str(today - timedelta(days=1)),
            "--to",
            str(today + timedelta(days=1)),
            "-o",
            str(output),
        ],  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    data = output.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    decided = [row for row in rows if row["类别"] == "审核决定" and row["动作"] == "reject"]
    assert decided[0]["决定时评论内容"] == "评论c-1：公交线路调整后等车更久了"
    assert decided[0]["IP属地"] == "湖南" and decided[0]["操作人"] == "王审核"
    reopened = [row for row in rows if row["动作"] == "reopen"]
    assert reopened and reopened[0]["决定时评论内容"] == "改过的新内容"
    stamp = datetime.strptime(decided[0]["时间（北京）"], "%Y-%m-%d %H:%M:%S")
    decided_at = datetime.fromisoformat(
        db.execute("SELECT at FROM decisions WHERE action = 'reject'").fetchone()[0]
    )
    assert stamp == (decided_at + timedelta(hours=8)).replace(tzinfo=None)
    [report] = [row for row in rows if row["类别"] == "读者举报"]
    assert report["原因"] == "谣言" and "13812345678" not in report["备注"]
    assert "secret-digest-of-reader" not in data.decode("utf-8-sig")
    assert any(row["类别"] == "账号事件" and row["新状态"] == "muted" for row in rows)
    [audit] = duty_records.exports(db)
    assert audit["rows"] == len(rows) and audit["file"] == str(output)
    assert audit["actor"].startswith("cli:")


def test_records_export_refuses_a_reversed_range(site_db, tmp_path):
    config, _db, _ids = site_db
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "records",
            "export",
            "--from",
            "2026-06-02",
            "--to",
            "2026-06-01",
            "-o",
            str(tmp_path / "x.csv"),
        ],  # fmt: skip
    )
    assert result.exit_code == 2 and "before" in result.output
    assert not (tmp_path / "x.csv").exists()
    far = CliRunner().invoke(
        main,
        ["--config", str(config), "records", "export", "--from", "9999-12-30", "--to",
         "9999-12-31", "-o", str(tmp_path / "x.csv")],
    )  # fmt: skip
    assert far.exit_code == 2 and "years 2000 to 2100" in far.output


def test_dashboard_export_downloads_the_same_csv_and_audits_it(tmp_path, site_env):
    """An admin's export from /records: the CSV the command writes for the same days (the
    channel by its label), with an audit entry of its own naming the admin; refused for a
    moderator and for a reversed range (in Chinese, nothing audited)."""
    channel = site_channel().replace(
        'type = "jsonfeed"', 'label = "株洲日报网站"\ntype = "jsonfeed"'
    )
    config = write_config(tmp_path, channels=channel)
    settings = load_settings(config)
    db = open_db(settings)
    ids = store_site_comments(db)
    comment_store.decide(db, ids["c-1"], "reject", "王审核", "abuse")
    app = create_app(settings, TESTING=True, WTF_CSRF_ENABLED=False, SECRET_KEY="test")
    today = datetime.now(UTC).date()
    days = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}

    moderator = app.test_client()
    Auth(moderator, db).login("moderator", "王审核")
    assert moderator.get("/records").status_code == 403
    assert moderator.post("/records/export", data=days).status_code == 403

    admin = app.test_client()
    Auth(admin, db).login("admin", "张管理")
    form = admin.get("/records").get_data(as_text=True)
    assert 'name="from"' in form and "尚无导出" in form and "记录导出" in form
    reversed_range = admin.post("/records/export", data={"from": days["to"], "to": days["from"]})
    assert reversed_range.status_code == 400
    assert "早于起始日期" in reversed_range.get_data(as_text=True)
    too_long = admin.post("/records/export", data={"from": "2025-01-01", "to": "2026-01-02"})
    assert too_long.status_code == 400 and "一次最多导出 366 天" in too_long.get_data(as_text=True)
    far = admin.post("/records/export", data={"from": "9999-12-30", "to": "9999-12-31"})
    assert far.status_code == 400 and "日期须在 2000 年至 2100 年之间" in far.get_data(as_text=True)
    bad = admin.post("/records/export", data={"from": "昨天", "to": days["to"]})
    assert bad.status_code == 400 and "请填写起止日期" in bad.get_data(as_text=True)
    assert duty_records.exports(db) == []

    answer = admin.post("/records/export", data=days)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    name = f"records-{days['from'].replace('-', '')}-{days['to'].replace('-', '')}.csv"
    assert name in answer.headers["Content-Disposition"]
    data = answer.get_data()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    [decided] = [row for row in rows if row["动作"] == "reject"]
    assert decided["渠道"] == "株洲日报网站" and decided["操作人"] == "王审核"
    [audit] = duty_records.exports(db)
    assert (audit["actor"], audit["rows"]) == ("张管理", len(rows))
    assert audit["file"] == f"网页下载 {name}"
    assert (audit["date_from"], audit["date_to"]) == (days["from"], days["to"])
    assert "张管理" in admin.get("/records").get_data(as_text=True)

    output = tmp_path / "cli.csv"
    cli = CliRunner().invoke(
        main,
        ["--config", str(config), "records", "export", "--from", days["from"], "--to",
         days["to"], "-o", str(output)],
    )  # fmt: skip
    assert cli.exit_code == 0, cli.output
    assert output.read_bytes() == data
    assert len(duty_records.exports(db)) == 2
    db.close()
