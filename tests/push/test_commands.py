"""`moderation push` and `moderation push --status` through the CLI runner."""

from __future__ import annotations

from click.testing import CliRunner

from moderation.cli import main
from moderation.storage import comments as comment_store
from tests.push.conftest import MSG_DATA_ID


def test_push_status_then_push_then_status(wechat_setup, wechat):
    settings, db, ids = wechat_setup
    comment_store.decide(db, ids[(MSG_DATA_ID, 0, 1)], "approve", actor="mod")
    runner = CliRunner()
    config = ["--config", settings.source]
    status = runner.invoke(main, [*config, "push", "--status"])
    assert status.exit_code == 0, status.output
    assert "wx [on]: backlog 1, failed 0, dry-run 0, last success never" in status.output
    assert wechat.calls == []  # --status sends nothing
    sent = runner.invoke(main, [*config, "push", "wx"])
    assert sent.exit_code == 0, sent.output
    assert "wx: done 1" in sent.output and "wx [on]: backlog 0" in sent.output
    assert wechat.comment(MSG_DATA_ID, 0, 1).elected


def test_push_unknown_channel_is_a_usage_error(wechat_setup):
    settings, _db, _ids = wechat_setup
    result = CliRunner().invoke(main, ["--config", settings.source, "push", "nope"])
    assert result.exit_code == 2 and "unknown channel 'nope'" in result.output


def test_push_settings_are_checked_at_start(tmp_path):
    from tests.helpers import write_config

    channel = '[[channels]]\nname = "d"\ntype = "demo"\npush = "on"\n'
    config = write_config(tmp_path, channels=channel)
    result = CliRunner().invoke(main, ["--config", str(config), "push", "--status"])
    assert result.exit_code == 2
    assert "channels.d.push: a demo channel cannot push" in result.output


def test_every_push_key_is_documented():
    import dataclasses
    from pathlib import Path

    from moderation.push.actions import PUSH_KEYS, PushOptions
    from tests.helpers import ROOT

    page = Path(ROOT, "docs", "channels-and-push.md").read_text(encoding="utf-8")
    config = Path(ROOT, "config.toml").read_text(encoding="utf-8")
    names = {field.name for field in dataclasses.fields(PushOptions)}
    assert names == PUSH_KEYS
    for name in names:
        assert f"| `{name}` |" in page, name
        assert f"#   {name} (default " in config, name  # generated from the declarations
