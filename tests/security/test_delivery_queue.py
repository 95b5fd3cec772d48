"""Issue 24 item 3: one bad delivery never blocks the alert and report queue.

Reproduced as found: a story title with CR/LF made `build_email` raise outside the `try`; a
robot URL that redirects in a loop; and here also a report delivery whose archived report is
gone. Each is recorded as a failed attempt of its own delivery, with backoff, and the
unrelated robot alert queued behind it goes out in the same pass.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from moderation.alerts.mail import MailTarget
from moderation.alerts.targets import RobotTarget
from moderation.sending.alert_delivery import MAX_ATTEMPTS, dispatch, report_message
from moderation.storage import alerts as store
from moderation.timeutil import iso
from tests.alerts.robot_servers import KEY, fast_robots, robot_server
from tests.alerts.smtp_server import PASSWORD, USER, smtp_server

NOW = datetime(2024, 1, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def queue(db, monkeypatch):
    """A rule and fast robot timeouts; robot key and SMTP login in the environment."""
    monkeypatch.setenv("T_WECOM_KEY", KEY)
    monkeypatch.setenv("T_SMTP_USER", USER)
    monkeypatch.setenv("T_SMTP_PASSWORD", PASSWORD)
    fast_robots(monkeypatch)
    rule_id = store.save_rule(db, {"name": "事故", "kind": "keyword"}, "admin")
    return db, rule_id


def fire(db, rule_id: int, title: str, target: str, at: datetime, key: str) -> int:
    """A fired alert with one pending delivery to `target`, due at `at`."""
    alert = {"rule_id": rule_id, "condition": key, "title": title, "link": "/stories/1",
             "detail": {"lines": ["2 条评论提到：事故"]}}  # fmt: skip
    return store.fire_alert(db, alert, [target], iso(at))


def delivery(db, alert_id: int | None = None, report_id: int | None = None) -> dict:
    """The one delivery of an alert (or a report)."""
    column, value = ("alert_id", alert_id) if alert_id else ("report_id", report_id)
    return next(db.query(f"SELECT * FROM alert_deliveries WHERE {column} = ?", [value]))


def wecom(url: str) -> RobotTarget:
    """The duty group's 企业微信 robot."""
    return RobotTarget(
        name="group", kind="wecom", url=url + "/cgi-bin/webhook/send", key_env="T_WECOM_KEY"
    )


@contextmanager
def redirect_loop():
    """A robot URL that answers every POST with a 307 to itself, for ever."""

    class Loop(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's naming)
            self.send_response(307)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_missing_report_is_its_own_failed_attempt_and_the_alert_behind_it_goes_out(queue):
    db, rule_id = queue
    store.queue_report_deliveries(db, 999, ["group"], iso(NOW - timedelta(minutes=5)))
    alert_id = fire(db, rule_id, "《大桥》关键词", "group", NOW, "story:1")
    with robot_server("wecom") as robot:
        configured = {"group": wecom(robot.url)}
        tally = dispatch(db, configured, NOW, report=lambda rid: report_message(db, rid, ""))
    assert tally.delivered == 1 and tally.retrying == 1
    assert len(robot.received) == 1  # the alert went out in the same pass
    poisoned = delivery(db, report_id=999)
    assert poisoned["state"] == "pending" and poisoned["attempts"] == 1
    assert poisoned["next_attempt_at"] > iso(NOW)  # backed off, not first in line again
    assert "TypeError" in poisoned["last_error"]
    assert delivery(db, alert_id)["state"] == "delivered"


def test_poisoned_delivery_gives_up_after_its_attempts_without_holding_others(queue):
    db, rule_id = queue
    store.queue_report_deliveries(db, 999, ["group"], iso(NOW))
    with robot_server("wecom") as robot:
        configured = {"group": wecom(robot.url)}
        moment = NOW
        for n in range(MAX_ATTEMPTS + 2):
            fire(db, rule_id, f"《稿件{n}》关键词", "group", moment, f"story:{n + 10}")
            dispatch(db, configured, moment, report=lambda rid: report_message(db, rid, ""))
            moment += timedelta(hours=3)  # past any backoff
    assert len(robot.received) == MAX_ATTEMPTS + 2  # every alert, each on its own pass
    poisoned = delivery(db, report_id=999)
    assert poisoned["state"] == "failed" and poisoned["attempts"] == MAX_ATTEMPTS


def test_crlf_in_a_story_title_no_longer_breaks_the_mail(queue, tmp_path):
    db, rule_id = queue
    ca = trustme.CA()
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    title = "《大桥\r\n塌了》关键词\nBcc: everyone@zzrb.test"
    mail_alert = fire(db, rule_id, title, "mail", NOW - timedelta(minutes=1), "story:1")
    robot_alert = fire(db, rule_id, "《另一稿》关键词", "group", NOW, "story:2")
    with smtp_server(ca) as mailbox, robot_server("wecom") as robot:
        configured = {
            "group": wecom(robot.url),
            "mail": MailTarget(name="mail", host="127.0.0.1", port=mailbox.port,
                               sender="desk@zzrb.test", recipients=("chief@zzrb.test",),
                               username_env="T_SMTP_USER", password_env="T_SMTP_PASSWORD",
                               cafile=str(cafile), timeout=5),
        }  # fmt: skip
        tally = dispatch(db, configured, NOW)
    assert tally.delivered == 2
    [mail] = mailbox.messages
    assert "\n" not in mail["Subject"] and "塌了" in mail["Subject"]
    assert mail["Bcc"] is None
    assert delivery(db, mail_alert)["state"] == "delivered"
    assert delivery(db, robot_alert)["state"] == "delivered" and len(robot.received) == 1


def test_redirect_loop_is_a_failed_attempt_not_a_stalled_queue(queue):
    db, rule_id = queue
    looping = fire(db, rule_id, "《大桥》关键词", "loop", NOW - timedelta(minutes=1), "story:1")
    behind = fire(db, rule_id, "《另一稿》关键词", "group", NOW, "story:2")
    with redirect_loop() as loop_url, robot_server("wecom") as robot:
        configured = {"loop": wecom(loop_url), "group": wecom(robot.url)}
        tally = dispatch(db, configured, NOW)
    assert tally.delivered == 1 and len(robot.received) == 1
    stuck = delivery(db, looping)
    assert stuck["attempts"] == 1 and stuck["state"] in ("pending", "failed")
    assert stuck["state"] == "failed" or stuck["next_attempt_at"] > iso(NOW)
    assert delivery(db, behind)["state"] == "delivered"
