"""`moderation draft`: the draft printed with progress, --fit's figures, clear user errors."""

from click.testing import CliRunner

from moderation.cli import main
from tests.drafting.synthetic_weeks import build_weeks


def run(config_file, *args):
    """Invoke the command group on the test config."""
    return CliRunner().invoke(main, ["--config", str(config_file), "draft", *args])


def test_draft_prints_the_column_with_reasons_and_progress(demo_db, config_file):
    result = run(config_file, "--from", "2024-01-19", "--to", "2024-01-25")
    assert result.exit_code == 0, result.output
    assert "1. 下雪啦（评论 " in result.stdout
    assert "[1/3] 下雪啦" in result.stderr
    quote_lines = [line for line in result.stdout.splitlines() if line.startswith("网友@")]
    reasons = [line for line in result.stdout.splitlines() if line.startswith("    ↳ 点赞 ")]
    assert 12 <= len(quote_lines) <= 18 and len(reasons) >= len(quote_lines)
    assert not demo_db.execute("SELECT COUNT(*) FROM edition_quotes").fetchone()[0]


def test_draft_json_is_the_same_draft(demo_db, config_file):
    import json

    result = run(config_file, "--from", "2024-01-19", "--to", "2024-01-25", "--json")
    body = json.loads(result.stdout)
    assert body["start"] == "2024-01-19" and body["sections"][0]["title"] == "下雪啦"


def test_draft_user_errors_exit_2_with_one_line(config_file, db):
    for args, message in (
        (("--from", "2024-01-19"), "--to is required"),
        (("--from", "19.1.2024", "--to", "2024-01-25"), "expected a date like"),
        (("--from", "2024-01-25", "--to", "2024-01-19"), "is before --from"),
        (("--from", "2024-01-19", "--to", "2024-01-25"), "no approved comments"),
        (("--fit",), "at least three weeks"),
    ):
        result = run(config_file, *args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.output)


def test_draft_fit_reports_agreement_before_and_after(db, config_file):
    build_weeks(db, weeks=6)
    result = run(config_file, "--fit")
    assert result.exit_code == 0, result.output
    assert "held-out weeks (2, " in result.stdout and "likes = " in result.stdout
