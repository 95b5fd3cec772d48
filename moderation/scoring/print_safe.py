"""What a print font can set: the rule that takes emoji and unprintable symbols out of a quote.

The page is set in 宋体-family fonts that cover GBK and no emoji. The documented rule, applied
the same way by the builder's fix, the draft's proposals and every export:

1. Emoji are removed, with their joiners, variation selectors, skin tones and keycaps
   (``支持🔥🔥！`` → ``支持！``), and so are the platforms' emoticon codes in brackets
   (``[捂脸]``, ``[赞]``): on paper they are noise.
2. A few symbols outside GBK become their print equivalent (``•`` → ``·``, ``⋯`` → ``…``, a
   no-break space → a space).
3. Spaces left doubled by a removal are collapsed, and the quote is trimmed.

Anything else outside GBK (a rare character, another script) is not guessed at: it is
reported for the editor to rewrite.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENTS = {
    "\u2022": "·",  # •
    "\u2027": "·",  # ‧
    "\u2219": "·",  # ∙
    "\u22ef": "…",  # ⋯
    "\u2212": "-",  # −
    "\u00a0": " ",
    "\u2009": " ",
    "\u200b": "",  # zero-width space
}
EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols and pictographs
    "\U0001fc00-\U0001ffff"
    "\u2600-\u27bf"  # miscellaneous symbols and dingbats (those outside GBK, see below)
    "\u2b00-\u2bff"
    "\u2300-\u23ff"
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, zero-width joiner, keycap
    "\U000e0020-\U000e007f"  # tag characters (flag sequences)
    "]"
)
# The platforms' emoticon codes as they arrive in comment text (WeChat and Weibo).
EMOTICON_NAMES = (
    "微笑 撇嘴 色 发呆 得意 流泪 害羞 闭嘴 睡 大哭 尴尬 发怒 调皮 呲牙 惊讶 难过 囧 抓狂 吐 偷笑 "
    "愉快 白眼 傲慢 困 惊恐 憨笑 悠闲 咒骂 疑问 嘘 晕 衰 骷髅 敲打 再见 擦汗 抠鼻 鼓掌 坏笑 "
    "右哼哼 左哼哼 哈欠 鄙视 委屈 快哭了 阴险 亲亲 可怜 笑脸 生病 脸红 破涕为笑 恐惧 失望 无语 "
    "嘿哈 捂脸 奸笑 机智 皱眉 耶 吃瓜 加油 汗 天啊 社会社会 旺柴 好的 打脸 哇 翻白眼 666 "
    "让我看看 叹气 苦涩 裂开 嘴唇 爱心 心碎 拥抱 强 弱 握手 胜利 抱拳 勾引 拳头 OK 合十 啤酒 "
    "咖啡 蛋糕 玫瑰 凋谢 菜刀 炸弹 便便 月亮 太阳 庆祝 礼物 红包 發 福 烟花 爆竹 猪头 跳跳 "
    "发抖 转圈 赞 哈哈 心 伤心 泪 doge 二哈 允悲 笑cry 费解 挖鼻 摊手 憧憬 并不简单 跪了 "
    "good ok 点赞 鲜花 蜡烛 抱抱 酷 馋嘴 思考 哼 怒 拜拜 可爱 嘻嘻 偷乐 太开心"
).split()
EMOTICON = re.compile(
    r"\[(?:" + "|".join(sorted(map(re.escape, EMOTICON_NAMES), key=len, reverse=True)) + r")\]",
    re.IGNORECASE,
)
SPACES = re.compile(r"[ \t]{2,}")
SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+(?=[，。！？；：、）」』”,.!?;:])")
PRINT_CHARSET = "gbk"


def _prints(char: str) -> bool:
    """A character the page's fonts set: ASCII, or in GBK and not an emoji."""
    if char.isascii() or char in "\n\r":
        return True
    try:
        char.encode(PRINT_CHARSET)
    except UnicodeEncodeError:
        return False
    return True


def _is_emoji(char: str) -> bool:
    return bool(EMOJI.fullmatch(char)) and not _prints(char)


def removable(text: str) -> list[str]:
    """The emoji and emoticon codes the rule removes, in order of appearance (each once)."""
    found = [match.group(0) for match in EMOTICON.finditer(text)]
    found += [char for char in text if _is_emoji(char) and char not in "\ufe0e\ufe0f\u200d"]
    return list(dict.fromkeys(found))


def unprintable(text: str) -> list[str]:
    """Characters the rule cannot fix (outside GBK, not an emoji): the editor rewrites them."""
    fixed = make_printable(text)
    return list(dict.fromkeys(char for char in fixed if not _prints(char)))


def make_printable(text: str) -> str:
    """`text` after the documented rule: emoji and emoticon codes out, known symbols mapped,
    doubled spaces collapsed. Text that already prints comes back unchanged."""
    if all(_prints(char) for char in text) and not EMOTICON.search(text):
        return text
    text = EMOTICON.sub("", unicodedata.normalize("NFC", text))
    text = "".join(REPLACEMENTS.get(char, char) for char in text)
    text = "".join(char for char in text if not _is_emoji(char))
    text = SPACE_BEFORE_PUNCTUATION.sub("", SPACES.sub(" ", text))
    return text.strip()
