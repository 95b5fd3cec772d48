import pytest

from moderation.scoring.textnorm import normalize, normalize_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("垃 圾", "垃圾"),
        ("垃-圾", "垃圾"),
        ("垃*圾", "垃圾"),
        ("垃。圾", "垃圾"),
        ("垃\u200b圾", "垃圾"),
        ("垃\u3000圾", "垃圾"),
        ("ＳＢ", "sb"),
        ("Ｓｂ１２３", "sb123"),
        ("發票", "发票"),
        ("全体天元区中小學生", "全体天元区中小学生"),
        ("👍好👍", "好"),
        ("", ""),
    ],
)
def test_normalize_folds_and_drops_separators(text, expected):
    assert normalize(text).text == expected
    assert normalize_text(text) == expected


def test_normalize_offsets_point_at_original_characters():
    text = "你是 Ｓ-Ｂ！"
    normalized = normalize(text)
    assert normalized.text == "你是sb"
    assert normalized.offsets == (0, 1, 3, 5)
    assert normalized.span(2, 4) == (3, 6)
    assert text[3:6] == "Ｓ-Ｂ"


def test_normalize_expanding_character_keeps_offsets_aligned():
    normalized = normalize("㈱好")
    assert normalized.text == "株好"
    assert len(normalized.offsets) == len(normalized.text)
    assert normalized.offsets == (0, 1)


def test_normalize_keep_separators_only_folds():
    assert normalize("ＳＢ，發票 ABC", keep_separators=True).text == "sb,发票 abc"


@pytest.mark.parametrize(
    "text",
    ["\x00\x01\x7f", "\ud800", "a\udfffb", "<script>alert(1)</script>", "\U0010ffff", "e\u0301"],
)
def test_normalize_hostile_input(text):
    normalized = normalize(text)
    assert len(normalized.offsets) == len(normalized.text)
    assert normalized.text == normalize_text(text)
