"""`moderation report` and `moderation alerts` from the command line."""

from __future__ import annotations

import io

import docx
import pytest
from click.testing import CliRunner

from moderation.cli import main
from moderation.storage import alerts as store
from tests.export.conftest import seeded  # noqa: F401  (the seed page collected, approved)


def run(config, *args):
    """Invoke the CLI with a config file."""
    return CliRunner().invoke(main, ["--config", str(config), *args], catch_exceptions=False)


@pytest.mark.usefixtures("seeded")
def test_weekly_report_written_to_a_folder(config_file, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run(config_file, "report", "--weekly", "--date", "2024-01-25", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "weekly report 2024-01-19..2024-01-25 archived" in result.output
    document = docx.Document(io.BytesIO((out / "舆情周报-2024-01-25.docx").read_bytes()))
    assert document.paragraphs[2].text == "株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）"
    assert (out / "舆情周报-2024-01-25.html").read_text(encoding="utf-8").startswith("<!doctype")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--date", "25.01.2024"], "expected a date like 2024-01-25"),
        (["-o", "/nonexistent/folder"], "no such folder"),
        (["--send"], "report_targets"),
    ],
)
def test_report_refuses_bad_input_with_one_line(config_file, db, args, message):
    result = run(config_file, "report", *args)
    assert result.exit_code == 2 and message in result.output


def test_rules_import_export_and_run(config_file, tmp_path, db):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rules]]\nname = "事故"\nkind = "keyword"\n[rules.params]\nwords = ["事故"]\n',
        encoding="utf-8",
    )
    assert run(config_file, "alerts", "import", str(rules)).output == "imported 1 rule(s)\n"
    exported = run(config_file, "alerts", "export").output
    assert 'name = "事故"' in exported and 'words = ["事故"]' in exported
    result = run(config_file, "alerts", "run")
    assert result.exit_code == 0 and "0 fired" in result.output
    assert [rule["name"] for rule in store.list_rules(db)] == ["事故"]


def test_import_of_a_bad_file_names_the_rule(config_file, tmp_path, db):
    rules = tmp_path / "rules.toml"
    rules.write_text('[[rules]]\nname = "x"\nkind = "volcano"\n', encoding="utf-8")
    result = run(config_file, "alerts", "import", str(rules))
    assert result.exit_code == 2 and "第 1 条规则" in result.output and "volcano" in result.output
