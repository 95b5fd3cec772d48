"""`moderation second-opinion TEXT`: a newsroom checks its setup against a provider."""

from __future__ import annotations

from click.testing import CliRunner

from moderation.cli import main
from tests.helpers import write_config
from tests.second_opinion.standins import Guard, serving
from tests.second_opinion.test_pass import guard_provider


def run(config, *args):
    return CliRunner().invoke(main, ["--config", str(config), *args])


def test_command_prints_each_answer(tmp_path):
    with serving(Guard()) as guard:
        config = write_config(tmp_path, guard_provider(guard.url))
        result = run(config, "second-opinion", "电话13912345678，快来")
    assert result.exit_code == 0, result.output
    assert "本地守卫: block 建议拒绝" in result.output and "涉政" in result.output
    assert guard.seen[0]["body"]["messages"][0]["content"] == "电话139****5678，快来"


def test_command_fails_on_a_timeout(tmp_path):
    with serving(Guard()) as guard:
        guard.mode, guard.delay = "slow", 2.0
        config = write_config(tmp_path, guard_provider(guard.url, timeout_seconds=0.2))
        result = run(config, "second-opinion", "一条评论")
    assert result.exit_code == 1 and "timeout" in result.output


def test_command_without_providers_sends_nothing(tmp_path):
    result = run(write_config(tmp_path), "second-opinion", "一条评论")
    assert result.exit_code == 2 and "nothing is sent anywhere" in result.output


def test_command_names_an_unknown_provider(tmp_path):
    config = write_config(tmp_path, guard_provider("http://127.0.0.1:9"))
    result = run(config, "second-opinion", "x", "--provider", "nope")
    assert result.exit_code == 2 and "unknown provider 'nope'" in result.output
