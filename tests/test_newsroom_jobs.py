"""The newsroom jobs: the real scheduler fires the alerts job, reports reach a mailbox."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
import trustme

from moderation.alerts import conditions
from moderation.db import connect
from moderation.scheduling import newsroom_jobs
from moderation.settings import load_settings
from moderation.storage import alerts as store
from moderation.storage import stories
from moderation.timeutil import iso
from tests.alerts.robot_servers import KEY, robot_server
from tests.alerts.smtp_server import PASSWORD, USER, smtp_server
from tests.export.conftest import seeded  # noqa: F401  (the seed page collected, approved)
from tests.helpers import write_config
from tests.scheduling_helpers import running_scheduler, wait_for
from tests.web.conftest import add_comment


def alerts_config(folder, targets: list[dict], extra: str = "") -> str:
    """An [alerts] table with the given targets (as TOML inline tables)."""
    tables = ", ".join(
        "{"
        + ", ".join(
            f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in target.items()
        )
        + "}"
        for target in targets
    )
    return f"[alerts]\ntargets = [{tables}]\n{extra}"


def test_the_scheduler_fires_the_alerts_job_and_the_robot_hears_once(tmp_path, monkeypatch):
    monkeypatch.setenv("T_WECOM_KEY", KEY)
    with robot_server("wecom") as robot:
        target = {
            "name": "desk",
            "type": "wecom",
            "url": robot.url + "/cgi-bin/webhook/send",
            "key_env": "T_WECOM_KEY",
        }
        settings = load_settings(
            write_config(tmp_path, extra=alerts_config(tmp_path, [target]), channels="")
        )
        with closing(connect(settings.database_path)) as db:
            story = stories.placeholder_story(db, "demo", "bridge")
            add_comment(
                db,
                "桥下出了事故",
                story_id=story,
                created_at=iso(datetime.now(UTC) - timedelta(minutes=1)),
            )
            store.save_rule(
                db,
                {
                    "name": "事故",
                    "kind": "keyword",
                    "targets": ["desk"],
                    "params": {"words": ["事故"]},
                },
                "admin",
            )
        with running_scheduler(settings):
            wait_for(lambda: robot.received, timeout=60)
        assert len(robot.received) == 1
        assert "事故" in robot.received[0]["markdown"]["content"]
    with closing(connect(settings.database_path)) as db:
        [alert] = store.recent_alerts(db)
        assert [d["state"] for d in alert["deliveries"]] == ["delivered"]
        # a desk that already had a rule gets no defaults on top of it
        assert [rule["name"] for rule in store.list_rules(db)] == ["事故"]


def test_first_start_installs_the_default_rules(tmp_path):
    settings = load_settings(write_config(tmp_path, channels=""))
    with running_scheduler(settings):
        pass
    with closing(connect(settings.database_path)) as db:
        rules = store.list_rules(db)
    assert {rule["kind"] for rule in rules} == set(conditions.KINDS) - {"keyword"}
    assert all(rule["targets"] == [] and rule["enabled"] for rule in rules)


@pytest.mark.usefixtures("seeded")
def test_weekly_report_is_mailed_with_the_docx_attached(tmp_path, monkeypatch, settings, db):
    ca = trustme.CA()
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    monkeypatch.setenv("T_SMTP_USER", USER)
    monkeypatch.setenv("T_SMTP_PASSWORD", PASSWORD)
    with smtp_server(ca) as mailbox:
        mail = {
            "name": "总编室",
            "type": "email",
            "host": "127.0.0.1",
            "port": mailbox.port,
            "sender": "desk@zzrb.test",
            "recipients": ["chief@zzrb.test"],
            "username_env": "T_SMTP_USER",
            "password_env": "T_SMTP_PASSWORD",
            "cafile": str(cafile),
        }
        extra = alerts_config(tmp_path, [mail], 'report_targets = ["总编室"]\n')
        (tmp_path / "cfg").mkdir()
        configured = load_settings(write_config(tmp_path / "cfg", extra=extra))
        monday = datetime(2024, 1, 26, 0, 30, tzinfo=UTC)  # 08:30 Beijing, the day after the 25th
        report_id = newsroom_jobs.make_report(db, configured, "weekly", monday)
        newsroom_jobs.watch(db, configured, monday)
        newsroom_jobs.watch(db, configured, monday + timedelta(minutes=1))  # nothing twice
    [email] = mailbox.messages
    assert email["Subject"] == "株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）"
    names = [part.get_filename() for part in email.iter_attachments()]
    assert names == ["舆情周报-2024-01-25.docx", "舆情周报-2024-01-25.html"]
    assert (
        db.execute(
            "SELECT state FROM alert_deliveries WHERE report_id = ?", [report_id]
        ).fetchone()[0]
        == "delivered"
    )
