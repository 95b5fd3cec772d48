"""The `moderation` command: help, config errors, collect, export."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from moderation.cli import main
from tests.helpers import write_config
from tests.seed import seed_snow_lines


def run(config, *args):
    """Invoke the CLI with a config file."""
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


def test_help_does_not_load_sentiment_model(processes):
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from moderation.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "for command in main.commands:\n"
        "    assert CliRunner().invoke(main, [command, '--help']).exit_code == 0, command\n"
        "print('snownlp' in sys.modules)\n"
    )
    out = processes.run([sys.executable, "-c", code])
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert command.help and command.help.strip(), f"{name} has no help"


@pytest.mark.parametrize(
    "extra, key",
    [('[server]\nport = "x"\n', "server.port"), ("[export]\nfile = 'a'\n", "export.file")],
)
def test_bad_config_fails_with_one_line_and_status_2(tmp_path, extra, key):
    config = write_config(tmp_path, extra=extra)
    result = CliRunner().invoke(main, ["--config", str(config), "init"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and key in lines[0] and lines[0].startswith("error: ")


def test_bad_config_through_real_process(tmp_path, processes):
    config = write_config(tmp_path, extra="[scoring]\nnegative_below = 'low'\n")
    out = processes.run([sys.executable, "-m", "moderation.cli", "--config", str(config), "init"])
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "scoring.negative_below" in out.stderr


def test_collect_twice_then_export(tmp_path):
    config = write_config(tmp_path)
    first = run(config, "collect", "demo")
    assert first.exit_code == 0, first.output
    second = run(config, "collect", "demo")
    assert "new 0" in second.output
    from moderation.db import connect

    db = connect(tmp_path / "test.db")
    total = db.table("comments").count
    assert total > 0 and db.table("scores").count == total


def test_export_writes_utf8_column(tmp_path):
    config = write_config(tmp_path)
    run(config, "collect", "demo", "--no-score")
    from moderation.db import connect
    from moderation.storage import comments

    db = connect(tmp_path / "test.db")
    db.execute("UPDATE comments SET created_at = '2024-01-22T15:40:00+00:00'")
    line = seed_snow_lines()[2]
    name, text = line[3:].split("：", 1)
    comment_id = db.execute("SELECT id FROM comments WHERE text = ?", [text]).fetchone()[0]
    comments.decide(db, comment_id, "approve", actor="mod")
    out = tmp_path / "column.txt"
    missing = run(config, "export", "--edition", "2024-01-25", "--output", str(out))
    assert missing.exit_code == 2 and "--from-approved" in missing.output
    result = run(
        config, "export", "--edition", "2024-01-25", "--from-approved", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    assert line.encode("utf-8") in out.read_bytes()
    again = run(config, "export", "--edition", "2024-01-25", "--encoding", "gb18030")
    assert line.encode("gb18030") in again.stdout_bytes
    bad = run(config, "export", "--edition", "25/01/2024")
    assert bad.exit_code == 2 and "expected a date" in bad.output


def test_user_add_prompts_for_password_and_lists(tmp_path):
    config = write_config(tmp_path)
    added = CliRunner().invoke(
        main,
        ["--config", str(config), "user", "add", "lin", "--role", "editor"],
        input="long enough pw\nlong enough pw\n",
    )
    assert added.exit_code == 0, added.output
    listed = run(config, "user", "list")
    assert "lin\teditor" in listed.output
    again = CliRunner().invoke(
        main,
        [
            "--config",
            str(config),
            "user",
            "add",
            "lin",
            "--role",
            "editor",
            "--password",
            "long enough pw",
        ],
    )
    assert again.exit_code == 2 and "已存在" in again.output


def test_ranking_command_prints_the_seed_block(tmp_path):
    from tests.seed import seed_ranking_block

    config = write_config(tmp_path)
    run(config, "collect", "demo", "--no-score")
    result = run(config, "ranking", "--from", "2024-01-19", "--to", "2024-01-25")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == seed_ranking_block().encode("utf-8")
    out = tmp_path / "ranking.docx"
    docx = run(
        config,
        "ranking",
        "--from",
        "2024-01-19",
        "--to",
        "2024-01-25",
        "--format",
        "docx",
        "-o",
        str(out),
    )
    assert docx.exit_code == 0 and out.read_bytes().startswith(b"PK")


def test_serve_in_production_without_secret_refuses_with_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("MODERATION_SECRET_KEY", raising=False)
    config = write_config(tmp_path, extra="[server]\nproduction = true\n")
    result = CliRunner().invoke(main, ["--config", str(config), "serve", "--no-scheduler"])
    assert result.exit_code == 2
    assert "set MODERATION_SECRET_KEY" in result.output
    assert "Traceback" not in result.output


def test_version_prints_the_package_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output == "moderation 0.1.0\n"


def test_export_docx_to_a_terminal_asks_for_an_output_file(tmp_path):
    import os
    import pty

    config = write_config(tmp_path)
    assert run(config, "collect", "--no-score").exit_code == 0
    leader, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "moderation.cli", "--config", str(config), "export"]
            + ["--edition", "2024-01-25", "--format", "docx", "--from-approved"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(terminal)
        os.close(leader)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "error: DOCX is a binary file: write it with -o FILE.docx"
    )


def test_backup_into_a_missing_folder_says_so_and_creates_nothing(tmp_path):
    config = write_config(tmp_path)
    assert run(config, "init").exit_code == 0
    target = tmp_path / "no-such-folder" / "backup.db"
    result = CliRunner().invoke(main, ["--config", str(config), "backup", str(target)])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: {target.parent}: no such folder: create it first or pick another"
    ]
    assert not target.parent.exists()


def test_ranking_of_an_empty_range_says_it_is_empty(tmp_path):
    config = write_config(tmp_path)
    assert run(config, "collect", "--no-score").exit_code == 0
    result = CliRunner().invoke(
        main, ["--config", str(config), "ranking", "--from", "2030-01-01", "--to", "2030-01-07"]
    )
    assert result.exit_code == 2
    assert "the ranking is empty" in result.output


def test_import_without_a_file_channel_explains_how_to_add_one(tmp_path):
    config = write_config(tmp_path)
    source = tmp_path / "comments.csv"
    source.write_text("id,author,text,created\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "import", str(source)])
    assert result.exit_code == 2
    assert "no file channel is configured" in result.output
    assert 'type = "file"' in result.output and str(config) in result.output


def test_a_busy_database_is_waited_for_not_a_failed_command(tmp_path, monkeypatch):
    """Issue 20: a command meeting a held write lock retries with backoff; it used to exit 1
    with "database is locked"."""
    import sqlite3

    from moderation.storage import retry

    config = write_config(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'path = "test.db"',
            'path = "test.db"\nbusy_timeout_ms = 100',  # the least allowed
        ),
        encoding="utf-8",
    )
    assert run(config, "init").exit_code == 0
    holder = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    pauses = []

    def colleague_finishes(seconds: float) -> None:  # the lock is released while we wait
        pauses.append(seconds)
        if holder.in_transaction:
            holder.execute("COMMIT")

    monkeypatch.setattr(retry, "sleep", colleague_finishes)
    result = run(config, "user", "add", "lin", "--role", "editor", "--password", "long enough pw")
    holder.close()
    assert result.exit_code == 0, result.output
    assert pauses == [retry.backoff_seconds(1)]
    assert "lin\teditor" in run(config, "user", "list").output
