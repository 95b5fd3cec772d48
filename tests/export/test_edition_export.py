"""Editions exported: the seed page's column byte for byte, all formats reproducible."""

import json

import pytest

from moderation.export import formats, review
from moderation.export.edition import ExportError, edition_from_approved
from moderation.storage import comments, decisions
from moderation.storage import editions as store
from tests.export.conftest import (
    CONSENT_REQUIRED,
    DATE,
    THRESHOLDS,
    build_seed_edition,
    signed_seed_edition,
)
from tests.seed import (
    QUOTE,
    comment_id_for,
    seed_column_text,
    seed_quote_lines,
    seed_snow_lines,
)


def test_seed_column_lines_equal_the_printed_page_byte_for_byte(seeded):
    edition = signed_seed_edition(seeded)
    body = formats.export_edition(seeded, edition, "txt").content
    printed = [line for line in body.decode("utf-8").split("\n") if QUOTE.match(line)]
    assert [line.encode("utf-8") for line in printed] == [
        line.encode("utf-8") for line in seed_quote_lines()
    ]
    assert body.startswith("融媒·观察\n\n1月22日，".encode())  # no story title heading
    assert len(printed) == 10


def test_seed_column_is_the_printed_column_byte_for_byte(seeded):
    """Title, each story's intro, its quotes: the page's own lines, nothing else, in order."""
    body = formats.export_edition(seeded, signed_seed_edition(seeded), "txt").content
    assert body == seed_column_text().encode("utf-8")


def test_column_text_headings_are_optional():
    from moderation.export.column_text import Quote, Section, render_column

    section = Section("下雪啦", "导语。", (Quote("郭英", "好雪。"),))
    assert render_column("融媒·观察", [section]) == "融媒·观察\n\n导语。\n\n网友@郭英：好雪。\n"
    with_heading = render_column("融媒·观察", [section], headings=True)
    assert with_heading == "融媒·观察\n\n下雪啦\n\n导语。\n\n网友@郭英：好雪。\n"


def test_gb18030_export_keeps_every_character(seeded):
    edition = build_seed_edition(seeded)
    body = formats.export_edition(seeded, edition, "txt", "gb18030").content
    assert body.decode("gb18030") == formats.export_edition(seeded, edition, "txt").content.decode(
        "utf-8"
    )


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_same_edition_exports_the_same_bytes(seeded, fmt):
    edition = build_seed_edition(seeded)
    first = formats.export_edition(seeded, edition, fmt).content
    assert formats.export_edition(seeded, edition, fmt).content == first


def test_selection_sign_off_and_print_are_recorded_decisions(seeded):
    edition = build_seed_edition(seeded)
    comment_id = comment_id_for(seeded, seed_snow_lines()[0])
    review.sign_off(seeded, edition, "chief", THRESHOLDS)
    store.mark_printed(seeded, edition, "chief")
    trail = [
        (d["action"], d["from_state"], d["to_state"]) for d in decisions.history(seeded, comment_id)
    ]
    assert trail == [
        ("approve", "pending", "approved"),
        ("select", "approved", "selected"),
        ("sign_off", "selected", "signed_off"),
        ("print", "signed_off", "printed"),
    ]
    assert comments.get_status(seeded, comment_id) == "approved"
    again = store.create_edition(seeded, "2024-02-02", "融媒·观察", "editor")
    section_id = store.add_section(seeded, again, 1, "editor")
    picked = store.select_quote(seeded, again, section_id, comment_id, "editor")
    assert picked["printed_in"] == [DATE]


def test_changing_a_signed_off_edition_clears_the_sign_off(seeded):
    edition = build_seed_edition(seeded)
    review.sign_off(seeded, edition, "chief", THRESHOLDS)
    quote = store.sections(seeded, edition)[0]["quotes"][0]
    store.update_quote(seeded, edition, quote["id"], "改过的文字", "郭英", False, "editor")
    edition = store.get_edition(seeded, DATE)
    assert edition["status"] == store.DRAFT and edition["signed_off_by"] is None
    assert decisions.history(seeded, quote["comment_id"])[-2]["action"] == "unsign"
    original = seeded.execute(
        "SELECT text FROM comments WHERE id = ?", [quote["comment_id"]]
    ).fetchone()[0]
    assert original.startswith("昨天晚上12点前")


def test_sign_off_requires_names_and_consent_when_configured(seeded):
    edition = build_seed_edition(seeded)
    quote = store.sections(seeded, edition)[0]["quotes"][0]
    with pytest.raises(store.EditionError, match="已核实"):
        review.sign_off(seeded, edition, "chief", CONSENT_REQUIRED)
    store.update_quote(seeded, edition, quote["id"], quote["excerpt"], "", True, "editor")
    with pytest.raises(store.EditionError, match="缺少署名"):
        review.sign_off(seeded, edition, "chief", THRESHOLDS)
    with pytest.raises(ExportError, match="署名"):
        formats.export_edition(seeded, edition, "txt")


def test_personal_data_is_masked_in_every_export(seeded):
    edition = build_seed_edition(seeded)
    quote = store.sections(seeded, edition)[1]["quotes"][0]
    text = quote["excerpt"] + "电话13912345678，邮箱zhang@example.com"
    store.update_quote(seeded, edition, quote["id"], text, quote["display_name"], False, "ed")
    for fmt in formats.FORMATS:
        body = formats.export_edition(seeded, edition, fmt).content
        if fmt == "docx":
            continue  # checked by opening the document in test_docx_export.py
        assert b"13912345678" not in body and b"139****5678" in body, fmt
        assert b"zhang@example.com" not in body, fmt


def test_csv_neutralises_formulas_and_has_a_bom(seeded):
    edition = build_seed_edition(seeded)
    quote = store.sections(seeded, edition)[0]["quotes"][0]
    store.update_quote(seeded, edition, quote["id"], "=HYPERLINK(1)", "@admin", False, "ed")
    body = formats.export_edition(seeded, edition, "csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert ",'@admin," in text and "'=HYPERLINK(1)" in text


def test_json_has_provenance_and_every_decision(seeded):
    edition = build_seed_edition(seeded)
    data = json.loads(formats.export_edition(seeded, edition, "json").content)
    first = data["quotes"][0]
    assert first["channel"] == "demo" and first["native_id"] == "demo-0001"
    assert [d["action"] for d in first["decisions"]] == ["approve", "select"]
    assert first["original_text"] == first["printed_text"]
    assert [s["heading"] for s in data["sections"]] == [
        "下雪啦",
        "清华、北大……350名顶级青年人才今天和市委书记一起在忙啥？",
    ]


def test_edition_from_approved_groups_by_story(seeded):
    edition = edition_from_approved(seeded, "2024-01-31", "融媒·观察", "cli")
    sections = store.sections(seeded, edition)
    assert sum(len(s["quotes"]) for s in sections) == 10
    assert len(sections) == 2


def test_an_edition_needs_a_title(seeded):
    with pytest.raises(store.EditionError, match="栏目名"):
        store.create_edition(seeded, DATE, "  ", "editor")
    assert store.get_edition(seeded, DATE) is None
