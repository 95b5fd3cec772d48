"""The builder's checks before sign-off, on the seed's column in a real database."""

import io

import docx
import pytest

from moderation import pipeline
from moderation.export import formats, records, review
from moderation.storage import comments, decisions
from moderation.storage import editions as store
from tests.export.conftest import DATE, THRESHOLDS, build_seed_edition

COPY_TEXT = "终于下雪了！回家路上遇上雨夹雪，虽然会让出行有些不变"  # demo-0035, a later copy


def copy_comment_id(db) -> int:
    """雪落无声's copy of 株洲凯旋名门's printed comment, approved."""
    comment_id = db.execute(
        "SELECT id FROM comments WHERE text LIKE ?", [COPY_TEXT + "%"]
    ).fetchone()[0]
    comments.decide(db, comment_id, "approve", actor="mod")
    return comment_id


def quotes_of(db, edition) -> list[dict]:
    return [quote for section in store.sections(db, edition) for quote in section["quotes"]]


def keys(db, edition) -> list[str]:
    return [
        problem.key.split(":")[0] for problem in review.review(db, edition, THRESHOLDS).blocking
    ]


def test_the_seed_column_has_no_problem(seeded):
    edition = build_seed_edition(seeded)
    assert review.review(seeded, edition, THRESHOLDS).problems == []


@pytest.mark.parametrize("scored", [False, True], ids=["by-text", "by-duplicate-group"])
def test_a_copy_and_an_emoji_stop_the_sign_off_until_fixed(seeded, settings, scored):
    """The report's edition: the same sentence under two names and a 🔥, signed off with no
    problem listed. Now both are listed, and the sign-off waits until they are fixed."""
    if scored:
        pipeline.score_pending(seeded, settings)
    edition = build_seed_edition(seeded)
    snow = store.sections(seeded, edition)[0]
    store.select_quote(seeded, edition, snow["id"], copy_comment_id(seeded), "editor")
    guo = snow["quotes"][0]
    store.update_quote(seeded, edition, guo["id"], guo["excerpt"] + "🔥🔥", "郭英", False, "ed")
    found = review.review(seeded, edition, THRESHOLDS)
    messages = [problem.message for problem in found.blocking]
    assert sorted(keys(seeded, edition)) == ["duplicate", "emoji"]
    assert any("“下雪啦”第2条、“下雪啦”第7条是相同或几乎相同的文字" in m for m in messages)
    assert any("含有印刷字体没有的表情：🔥" in m for m in messages)
    with pytest.raises(store.EditionError, match="相同或几乎相同"):
        review.sign_off(seeded, edition, "chief", THRESHOLDS)
    review.apply_fix(seeded, edition, guo["id"], "print_rule", "ed")
    assert quotes_of(seeded, edition)[0]["excerpt"] == guo["excerpt"]
    assert decisions.history(seeded, guo["comment_id"])[-1]["action"] == "edit"
    duplicate = next(p for p in found.blocking if p.key.startswith("duplicate"))
    store.unselect_quote(seeded, edition, duplicate.quote_id, "ed")  # the later copy goes
    review.sign_off(seeded, edition, "chief", THRESHOLDS)
    assert store.get_edition(seeded, DATE)["status"] == store.SIGNED_OFF


def test_exports_never_carry_an_emoji_even_before_the_fix(seeded):
    edition = build_seed_edition(seeded)
    quote = quotes_of(seeded, edition)[0]
    store.update_quote(seeded, edition, quote["id"], "🔥" + quote["excerpt"], "郭英", False, "ed")
    for fmt in ("txt", "docx"):
        content = formats.export_edition(seeded, edition, fmt).content
        if fmt == "docx":
            content = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
            assert "🔥" not in content
        else:
            assert "🔥".encode() not in content, fmt
    [record, *_] = records.quote_records(seeded, edition)
    assert record["printed_text"] == quote["excerpt"]  # what prints, by the same rule


def test_two_quotes_by_one_author_and_an_offensive_score_can_be_overridden_with_a_note(
    seeded, settings
):
    pipeline.score_pending(seeded, settings)
    edition = build_seed_edition(seeded)
    snow = store.sections(seeded, edition)[0]
    first, second = snow["quotes"][0], snow["quotes"][1]
    seeded.execute(
        "UPDATE comments SET author_key = (SELECT author_key FROM comments WHERE id = ?) "
        "WHERE id = ?",
        [first["comment_id"], second["comment_id"]],
    )
    seeded.execute("UPDATE scores SET offensive = 0.55 WHERE comment_id = ?", [first["comment_id"]])
    assert sorted(keys(seeded, edition)) == ["author", "offensive"]
    with pytest.raises(store.EditionError, match="请写明"):
        review.override(seeded, edition, f"offensive:{first['id']}", "  ", "ed", THRESHOLDS)
    for problem in review.review(seeded, edition, THRESHOLDS).blocking:
        review.override(seeded, edition, problem.key, "读者原话，已核实", "王编辑", THRESHOLDS)
    found = review.review(seeded, edition, THRESHOLDS)
    assert found.blocking == [] and len(found.overridden) == 2
    assert {row["actor"] for row in found.overridden.values()} == {"王编辑"}
    review.sign_off(seeded, edition, "chief", THRESHOLDS)
    assert store.get_edition(seeded, DATE)["status"] == store.SIGNED_OFF


def test_problems_that_would_print_something_unfit_cannot_be_overridden(seeded):
    edition = build_seed_edition(seeded)
    quote = quotes_of(seeded, edition)[0]
    comments.decide(seeded, quote["comment_id"], "reject", actor="mod", reason="其他")
    [problem] = review.review(seeded, edition, THRESHOLDS).blocking
    assert problem.key == f"status:{quote['id']}" and not problem.overridable
    with pytest.raises(store.EditionError, match="不能忽略"):
        review.override(seeded, edition, problem.key, "我觉得可以", "ed", THRESHOLDS)


def test_a_section_without_an_intro_is_listed(seeded):
    edition = build_seed_edition(seeded)
    section = store.sections(seeded, edition)[1]
    store.update_section(seeded, edition, section["id"], section["heading"], "", "ed")
    [problem] = review.review(seeded, edition, THRESHOLDS).blocking
    assert problem.key == f"intro:{section['id']}" and "还没有编者导语" in problem.message


def test_a_txt_downloaded_before_sign_off_is_marked(seeded):
    edition = build_seed_edition(seeded)
    export = formats.export_edition(seeded, edition, "txt")
    assert export.content.decode("utf-8").startswith("【未签发 · 仅供校对，不得付印】\n\n融媒·观察")
    assert "unsigned" in export.filename
    assert formats.export_edition(seeded, edition, "csv").content.decode("utf-8-sig").count(
        "编辑中"
    ) == len(quotes_of(seeded, edition))
