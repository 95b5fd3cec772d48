"""Robots and e-mail over real sockets: documented payloads, signatures, faults classified."""

from __future__ import annotations

import pytest
import trustme

from moderation.alerts.mail import Attachment, MailTarget, send_mail
from moderation.alerts.targets import (
    DELIVERED,
    FAILED,
    RETRY,
    Message,
    RobotTarget,
    send_robot,
    sign_dingtalk,
    sign_feishu,
)
from tests.alerts.robot_servers import HOOK, KEY, SECRET, TOKEN, fast_robots, robot_server
from tests.alerts.smtp_server import PASSWORD, USER, smtp_server

MESSAGE = Message(
    title="【舆情预警】《下雪啦》负面评论激增",
    lines=("30 分钟内 12 条负面评论（基线 5%，现 60%）", "网友@郭英：昨天晚上12点前我都不敢睡觉。"),
    link="http://127.0.0.1:5000/stories/7",
)


@pytest.fixture
def secrets_env(monkeypatch):
    """The robots' key, token, hook and signing secret in the environment, as configured."""
    monkeypatch.setenv("T_WECOM_KEY", KEY)
    monkeypatch.setenv("T_DING_TOKEN", TOKEN)
    monkeypatch.setenv("T_FEISHU_HOOK", HOOK)
    monkeypatch.setenv("T_SECRET", SECRET)


def target(kind: str, url: str, **keys) -> RobotTarget:
    """A robot target as the config would describe it."""
    paths = {
        "wecom": ("/cgi-bin/webhook/send", "T_WECOM_KEY"),
        "dingtalk": ("/robot/send", "T_DING_TOKEN"),
        "feishu": ("/open-apis/bot/v2/hook", "T_FEISHU_HOOK"),
    }
    path, key_env = paths[kind]
    options = {"key_env": key_env, "secret_env": "" if kind == "wecom" else "T_SECRET"}
    options.update(keys)
    return RobotTarget(name=f"test-{kind}", kind=kind, url=url + path, **options)


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_robot_accepts_the_documented_signed_message(secrets_env, kind):
    with robot_server(kind) as robot:
        outcome = send_robot(target(kind, robot.url), MESSAGE)
    assert outcome.state == DELIVERED, outcome
    assert len(robot.received) == 1
    text = str(robot.received[0])
    assert "下雪啦" in text and "网友@郭英" in text


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_robot_with_a_wrong_secret_fails_for_good(secrets_env, monkeypatch, kind):
    monkeypatch.setenv("T_SECRET", "SECwrong")
    with robot_server(kind) as robot:
        outcome = send_robot(target(kind, robot.url), MESSAGE)
    assert outcome.state == FAILED
    assert "310000" in outcome.reason or "19021" in outcome.reason
    assert robot.received == []


def test_dingtalk_sign_matches_the_documented_example():
    # HmacSHA256(key=secret, msg="ts\nsecret"), Base64, then URL-encoded (+ / = escaped)
    sign = sign_dingtalk("this is secret", 1577262236757)
    assert "%" in sign and "+" not in sign and "/" not in sign
    assert sign_dingtalk("this is secret", 1577262236757) != sign_dingtalk("x", 1577262236757)


def test_feishu_signs_with_the_timestamp_and_secret_as_the_key():
    assert sign_feishu(SECRET, 1599360473) != sign_feishu(SECRET, 1599360474)
    assert len(sign_feishu(SECRET, 1599360473)) == 44  # Base64 of 32 bytes


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_rate_limit_code_is_retried_later_not_failed(secrets_env, kind):
    with robot_server(kind) as robot:
        robot.faults.append(("code", None))
        outcome = send_robot(target(kind, robot.url), MESSAGE)
    assert outcome.state == RETRY and "rate limited" in outcome.reason
    assert outcome.retry_after == 60.0
    assert robot.received == []


def test_server_error_then_success_delivers_once(secrets_env):
    with robot_server("wecom") as robot:
        robot.faults.append(("status", 502))
        outcome = send_robot(target("wecom", robot.url), MESSAGE)
    assert outcome.state == DELIVERED
    assert robot.requests == 2 and len(robot.received) == 1


def test_timeout_is_retried_later(secrets_env, monkeypatch):
    fast_robots(monkeypatch, read_timeout=0.2, call_timeout=1, max_wait_seconds=0)
    with robot_server("wecom") as robot:
        robot.faults.append(("hang", 1.0))
        outcome = send_robot(target("wecom", robot.url), MESSAGE)
    assert outcome.state == RETRY and "timed out" in outcome.reason


def test_missing_secret_says_which_variable_to_set(monkeypatch):
    monkeypatch.delenv("T_WECOM_KEY", raising=False)
    outcome = send_robot(target("wecom", "http://127.0.0.1:9"), MESSAGE)
    assert outcome.state == FAILED and "T_WECOM_KEY" in outcome.reason


def test_wecom_markdown_is_cut_to_4096_bytes(secrets_env):
    long = Message(title="长", lines=("评" * 3000,))
    with robot_server("wecom") as robot:
        outcome = send_robot(target("wecom", robot.url), long)
    assert outcome.state == DELIVERED
    content = robot.received[0]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("…")


@pytest.fixture(scope="module")
def test_ca():
    """A throwaway certificate authority for the local SMTP server's STARTTLS."""
    return trustme.CA()


@pytest.fixture
def mail_target(test_ca, tmp_path, monkeypatch):
    """A MailTarget factory for the local server, trusting the test CA."""
    cafile = tmp_path / "ca.pem"
    test_ca.cert_pem.write_to_path(str(cafile))
    monkeypatch.setenv("T_SMTP_USER", USER)
    monkeypatch.setenv("T_SMTP_PASSWORD", PASSWORD)

    def make(port: int, **overrides) -> MailTarget:
        options = dict(
            name="desk-mail",
            host="127.0.0.1",
            port=port,
            sender="moderation@zzrb.test",
            recipients=("chief@zzrb.test", "desk@zzrb.test"),
            username_env="T_SMTP_USER",
            password_env="T_SMTP_PASSWORD",
            cafile=str(cafile),
            timeout=5,
        )
        options.update(overrides)
        return MailTarget(**options)

    return make


def test_email_over_starttls_with_login_carries_the_report(test_ca, mail_target):
    report = Attachment("舆情周报-2024-01-25.docx", "application/octet-stream", b"PK\x03\x04docx")
    with smtp_server(test_ca) as mailbox:
        outcome = send_mail(mail_target(mailbox.port), MESSAGE, [report])
    assert outcome.state == DELIVERED, outcome
    [email] = mailbox.messages
    assert email["Subject"] == MESSAGE.title
    assert "网友@郭英" in email.get_body(("plain",)).get_content()
    [attached] = list(email.iter_attachments())
    assert attached.get_filename() == "舆情周报-2024-01-25.docx"
    assert attached.get_content() == b"PK\x03\x04docx"


def test_email_wrong_password_fails_for_good(test_ca, mail_target, monkeypatch):
    monkeypatch.setenv("T_SMTP_PASSWORD", "wrong")
    with smtp_server(test_ca) as mailbox:
        outcome = send_mail(mail_target(mailbox.port), MESSAGE)
    assert outcome.state == FAILED and "login refused" in outcome.reason
    assert mailbox.messages == []


def test_email_temporary_refusal_is_retried_later(test_ca, mail_target):
    with smtp_server(test_ca) as mailbox:
        mailbox.fail_next.append("451 Try again later")
        first = send_mail(mail_target(mailbox.port), MESSAGE)
        second = send_mail(mail_target(mailbox.port), MESSAGE)
    assert first.state == RETRY and "451" in first.reason
    assert second.state == DELIVERED and len(mailbox.messages) == 1


def test_email_server_down_is_retried_later(mail_target):
    outcome = send_mail(mail_target(9), MESSAGE)  # nothing listens on port 9 here
    assert outcome.state == RETRY


def test_each_line_is_its_own_line_on_each_robot(secrets_env):
    received = {}
    for kind in ("wecom", "dingtalk"):
        with robot_server(kind) as robot:
            assert send_robot(target(kind, robot.url), MESSAGE).state == DELIVERED
        received[kind] = robot.received[0]["markdown"]
    # 企业微信 breaks at a newline; 钉钉 folds a bare one into the paragraph and documents
    # "  \n  " as its line break
    assert "\n30 分钟内" in received["wecom"]["content"]
    assert received["dingtalk"]["text"].count("  \n  ") == 3  # heading, two lines, the link
    assert "（基线 5%，现 60%）  \n  网友@郭英" in received["dingtalk"]["text"]
