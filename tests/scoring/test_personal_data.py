import pytest

from moderation.scoring.personal_data import (
    BANK_CARD,
    EMAIL,
    ID_NUMBER,
    LANDLINE,
    MOBILE,
    QQ,
    WECHAT,
    find_personal_data,
    mask_personal_data,
)

VALID_ID = "11010519491231002X"  # GB 11643 sample number, check character X
VALID_ID_2 = "430102199003071234"
VALID_CARD = "4111111111111111"
VALID_CARD_19 = "6222021234567890128"


def kinds(text):
    return [(item.kind, item.text) for item in find_personal_data(text)]


@pytest.mark.parametrize(
    "text, kind, found",
    [
        ("有事打我电话13912345678", MOBILE, "13912345678"),
        ("电话 139 1234 5678 谢谢", MOBILE, "139 1234 5678"),
        ("电话139-1234-5678", MOBILE, "139-1234-5678"),
        ("电话+86 139 1234 5678", MOBILE, "+86 139 1234 5678"),
        ("电话8613912345678", MOBILE, "8613912345678"),
        ("电话１３９１２３４５６７８", MOBILE, "１３９１２３４５６７８"),
        ("座机0731-28888888", LANDLINE, "0731-28888888"),
        ("座机(0731)2888 8888", LANDLINE, "(0731)2888 8888"),
        ("座机（0731）28888888", LANDLINE, "（0731）28888888"),
        ("北京010-68881234", LANDLINE, "010-68881234"),
        (f"身份证{VALID_ID}", ID_NUMBER, VALID_ID),
        (f"身份证{VALID_ID.lower()}", ID_NUMBER, VALID_ID.lower()),
        (f"身份证号{VALID_ID_2}。", ID_NUMBER, VALID_ID_2),
        ("邮箱guo.ying@example.com联系", EMAIL, "guo.ying@example.com"),
        ("邮箱 ｇｕｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", EMAIL, "ｇｕｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        (f"卡号{VALID_CARD}", BANK_CARD, VALID_CARD),
        ("卡号4111 1111 1111 1111", BANK_CARD, "4111 1111 1111 1111"),
        (f"打钱到{VALID_CARD_19}", BANK_CARD, VALID_CARD_19),
        ("加微信 abc_123456", WECHAT, "abc_123456"),
        ("vx：zzrb2024", WECHAT, "zzrb2024"),
        ("V信:hello123", WECHAT, "hello123"),
        ("加V：abcdef12", WECHAT, "abcdef12"),
        ("QQ：12345678", QQ, "12345678"),
        ("扣扣 987654321", QQ, "987654321"),
        ("qq号是10001", QQ, "10001"),
    ],
)
def test_find_personal_data_positive(text, kind, found):
    assert kinds(text) == [(kind, found)]


def test_find_personal_data_spans_point_into_original():
    text = "联系 １３９ 1234 5678 或 guo@example.com"
    for item in find_personal_data(text):
        assert text[item.start : item.end] == item.text


@pytest.mark.parametrize(
    "text",
    [
        "身份证11010519491231002Y",
        "身份证110105194912310021",  # wrong check character
        "身份证110105194913310028",  # month 13
        "卡号4111111111111112",  # fails Luhn
        "卡号6222021234567890123",  # fails Luhn
        "2024年1月22日，昨天晚上12点前",
        "访问量:297.6万次,发布时间:1月22日",
        "350余名来自清华、北大等地的顶级青年人才",
        "新增城镇就业5.8万人、农村劳动力转移就业1.48万人",
        "售价¥1399.00，原价2999元",
        "时间 2024-01-22 12:30:45",
        "订单20240122123045",
        "12345678901",  # starts with 12: no mobile range
        "1391234567",  # ten digits
        "139123456789",  # twelve digits
        "区号0731",
        "株洲日报微信公众号",
        "网友@Andy：株洲是一座年轻而又充满活力的城市",
        "制造名城株洲@你",
        "打一个1+N就业服务队伍",
        "QQ音乐很好听",
    ],
)
def test_find_personal_data_negative(text):
    assert kinds(text) == []


@pytest.mark.parametrize(
    "text, masked",
    [
        ("电话13912345678", "电话139****5678"),
        ("电话139 1234 5678", "电话139 **** 5678"),
        ("电话+86 13912345678", "电话+86 139****5678"),
        (f"身份证{VALID_ID_2}", "身份证430***********1234"),
        ("邮箱guo.ying@example.com", "邮箱g***@example.com"),
        ("卡号4111 1111 1111 1111", "卡号4111 **** **** 1111"),
        ("座机0731-28888888", "座机0731-****8888"),
        ("QQ：12345678", "QQ：12****78"),
        ("vx：zzrb2024", "vx：zz****24"),
    ],
)
def test_mask_personal_data(text, masked):
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "电话13912345678，座机0731-28888888，邮箱a@b.cn",
        f"身份证{VALID_ID} 卡号{VALID_CARD_19} 微信abc_123456 QQ：12345678",
        "电话 ＋８６ １３９ １２３４ ５６７８ 邮箱 ｇｕｏ＠ｅｘａｍｐｌｅ．ｃｏｍ",
    ],
)
def test_mask_personal_data_is_idempotent(text):
    once = mask_personal_data(text)
    assert once != text
    assert mask_personal_data(once) == once
    assert find_personal_data(once) == []


def test_mask_personal_data_leaves_clean_text_unchanged():
    text = "昨天晚上12点前我都不敢睡觉，就想等下雪。2024年的初雪，访问量297.6万次。"
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    ["1" * 1_000_000, "a" * 1_000_000, "a." * 500_000, "@" * 1_000_000, "\ud800\x00<script>"],
    ids=["digits", "letters", "dots", "at-signs", "control"],
)
def test_personal_data_hostile_input(text):
    mask_personal_data(text)
