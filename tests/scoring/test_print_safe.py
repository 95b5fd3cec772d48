"""The print rule: emoji and emoticon codes out, known symbols mapped, the rest reported."""

import pytest

from moderation.scoring.print_safe import make_printable, removable, unprintable
from tests.seed import seed_quote_lines


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("支持🔥🔥！", "支持！"),
        ("雪景太美了 ❤️ ", "雪景太美了"),
        ("点赞👍🏻 株洲", "点赞 株洲"),
        ("家人们👨‍👩‍👧来看雪", "家人们来看雪"),
        ("好冷[捂脸]，注意保暖[强]", "好冷，注意保暖"),
        ("第一• 第二⋯", "第一· 第二…"),
        ("★★★★★ 五星好评", "★★★★★ 五星好评"),  # in GBK: the fonts have it
        ("1#️⃣号线", "1#号线"),
    ],
)
def test_make_printable_applies_the_documented_rule(text, printed):
    assert make_printable(text) == printed


def test_printed_page_lines_already_print_and_stay_byte_for_byte():
    for line in seed_quote_lines():
        assert make_printable(line) == line
        assert removable(line) == [] and unprintable(line) == []


def test_removable_lists_each_emoji_once_without_joiners():
    assert removable("🔥好🔥[赞]❤️") == ["[赞]", "🔥", "❤"]


def test_characters_outside_the_print_charset_are_reported_not_guessed():
    assert unprintable("𠮷野家的饭") == ["𠮷"]
    assert make_printable("𠮷野家的饭") == "𠮷野家的饭"
    assert unprintable("Ёлка 圣诞") == []  # Cyrillic is in GBK
