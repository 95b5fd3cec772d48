"""Issue 24's Low items on commands: `serve` on a busy port and `evaluate-*` on a CSV with
an unclosed quote end with one clear line and a non-zero status, not a traceback or 0."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.helpers import write_config


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_2(tmp_path, monkeypatch):
    monkeypatch.delenv("MODERATION_SECRET_KEY", raising=False)
    config = write_config(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            main, ["--config", str(config), "serve", "--no-scheduler", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["evaluate-sentiment", "evaluate-offensive"])
def test_evaluate_with_an_unclosed_quote_is_an_error(tmp_path, command):
    data = tmp_path / "labelled.csv"
    unclosed = '0,"这一行的引号没有闭合'
    rows = ["label,text", "1,写得很好", unclosed] + [f"1,第{n}条评论" for n in range(50)]
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    config = write_config(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), command, str(data)])
    assert result.exit_code == 2, result.output
    assert "line 3" in result.output and "never closed" in result.output
    assert "Traceback" not in result.output
