"""What makes a good pick for the printed column, one pure function per scoring term.

Each term looks at one comment (or at one comment against the quotes already proposed) and
returns either a gate (may it be proposed at all?) or a value in [0, 1] that `select`
weighs. Nothing here reads the database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from moderation.scoring.flags import NEGATIVE
from moderation.scoring.personal_data import find_personal_data

PRINTABLE_MIN = 20
PRINTABLE_MAX = 120
# A low sentiment is a viewpoint, not a defect: every other flag keeps a comment out of print.
HARMLESS_FLAGS = frozenset({NEGATIVE})
SENTENCE_END = re.compile(r"[。！？!?…；;]+[”」』）)]*")
GENERIC_PHRASES = (
    "太好了", "好美", "真美", "太美了", "点赞", "赞", "支持", "加油", "厉害", "不错", "很好",
    "好", "棒", "666", "牛", "顶", "来了", "欢迎", "期待", "辛苦了", "致敬", "感动", "哈哈",
    "真好", "好看", "漂亮", "可以", "好耶", "冲", "威武", "给力", "good", "nice",
)  # fmt: skip
_GENERIC = re.compile("|".join(sorted(map(re.escape, GENERIC_PHRASES), key=len, reverse=True)))
_NOISE = re.compile(r"[\W_\d]+|[\U0001f000-\U0001faff\u2600-\u27bf]", re.UNICODE)
PLACE = re.compile(
    r"[\u4e00-\u9fff]{1,6}?(?:路|街|巷|桥|站|公园|广场|大道|风光带|小区|驿站|中学|小学|大学|学院|医院|"
    r"塔|山|江|厂|县|区|镇|乡|村|城|谷|湖|港|商场|市场|机场|高速)"
    r"|株洲|湘江|醴陵|攸县|茶陵|炎陵|渌口|天元|芦淞|荷塘|石峰|河西|长沙|湘潭"
)
NUMBER = re.compile(
    r"\d+|[一二两三四五六七八九十百千万几]+(?:个|次|年|天|点|分钟|小时|家|名|位|条|台|层|米|公里|度|块|元)"
)
PERSON = re.compile(
    r"书记|市长|区长|环卫|交警|民警|老师|医生|护士|司机|工人|师傅|阿姨|爷爷|奶奶|外婆|崽|妈|爸|"
    r"同学|老板|店家|志愿者|保安|物业|社区|学生|研究生|毕业生|企业"
)
QUOTED = re.compile(r"“[^”]{2,20}”|「[^」]{2,20}」|《[^》]{1,30}》")
DETAIL_HITS = 3  # this many distinct details make a comment fully specific


def visible_length(text: str) -> int:
    """Characters a reader sees (surrounding spaces dropped)."""
    return len(text.strip())


# A sentence that proposes something is what an editor keeps when a comment is cut.
CONSTRUCTIVE = re.compile(
    r"建议|希望|提议|呼吁|能否|能不能|可否|是否可以|应该|应当|最好|不妨|期待.{0,6}(?:能|可以)|"
    r"盼望|恳请|请(?:相关|有关)"
)


def sentences(text: str) -> list[str]:
    """The text cut after each sentence end (the last piece may lack one)."""
    pieces, start = [], 0
    for match in SENTENCE_END.finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    if text[start:].strip():
        pieces.append(text[start:])
    return pieces


def is_constructive(sentence: str) -> bool:
    """A sentence that carries a suggestion or a request (建议…, 希望…, 能不能…)."""
    return bool(CONSTRUCTIVE.search(sentence))


def propose_trim(text: str, limit: int = PRINTABLE_MAX, minimum: int = PRINTABLE_MIN):
    """A shorter print excerpt of whole sentences, or None when none fits.

    Offered for long comments only; the stored original never changes. The excerpt is a run
    of consecutive sentences (nothing is cut out of the middle); a sentence that proposes
    something (建议…, 希望…) is kept, starting the run later when it must, since that is
    the sentence an editor would not cut.
    """
    text = text.strip()
    if len(text) <= limit:
        return None
    parts = sentences(text)
    starts = [sum(map(len, parts[:index])) for index in range(len(parts) + 1)]
    wanted = [index for index, part in enumerate(parts) if is_constructive(part)]
    best, best_key = None, None
    for first in range(len(parts)):
        for last in range(first, len(parts)):
            length = starts[last + 1] - starts[first]
            if length > limit:
                break
            if length < minimum or not SENTENCE_END.search(parts[last]):
                continue
            kept = sum(first <= index <= last for index in wanted)
            key = (kept, -first, length)  # most suggestions, then from the start, then longest
            if best_key is None or key > best_key:
                best, best_key = text[starts[first] : starts[last + 1]].strip(), key
    return best


def printable_length(text: str, minimum: int = PRINTABLE_MIN, maximum: int = PRINTABLE_MAX):
    """0 when the quote cannot print as it is (shorter than `minimum`, or longer than `maximum`
    with no sentence to cut at); else from 0.5 at `minimum` to 1 at twice that, fuller quotes
    reading better in print, and 0.8 for a long one with a proposed trim."""
    length = visible_length(text)
    if length > maximum:
        return 0.8 if propose_trim(text, maximum, minimum) else 0.0
    if length < minimum:
        return 0.0
    return min(1.0, 0.5 + 0.5 * (length - minimum) / minimum)


def is_clean(flag_codes: str, text: str) -> bool:
    """No flag but a low sentiment, and no personal data in the text itself."""
    codes = set((flag_codes or "").split())
    return not (codes - HARMLESS_FLAGS) and not find_personal_data(text)


def stands_alone(text: str) -> bool:
    """A reply to another reader ("@理性路人 …") makes no sense alone on the printed page."""
    return not text.lstrip().startswith(("@", "＠", "回复"))


def never_printed(printed_in: Iterable[str]) -> bool:
    """A quote printed in an earlier edition is never proposed again."""
    return not list(printed_in)


def likes_value(likes: int, most_likes: int) -> float:
    """Likes against the story's most liked candidate, on a log scale (0..1)."""
    if most_likes <= 0 or likes <= 0:
        return 0.0
    return min(1.0, math.log1p(likes) / math.log1p(most_likes))


def details(text: str) -> set[str]:
    """The concrete things a comment names: places, numbers, people, quoted names."""
    found = set()
    for pattern in (PLACE, NUMBER, PERSON, QUOTED):
        found.update(match.group(0) for match in pattern.finditer(text))
    return found


def is_generic(text: str) -> bool:
    """True when the comment is only stock praise ("太好了", "点赞", "加油株洲!")."""
    rest = _NOISE.sub("", _GENERIC.sub("", text.lower()))
    return len(rest) <= 2 or len(rest) <= len(_NOISE.sub("", text)) // 5


def specificity(text: str) -> float:
    """How concrete a comment is: 0 for stock praise, up to 1 with three named details."""
    if is_generic(text):
        return 0.0
    return min(1.0, len(details(text)) / DETAIL_HITS)


def conflicts(candidate: dict, chosen: Iterable[dict]) -> bool:
    """Same author or same duplicate group as a quote already proposed: never both."""
    for other in chosen:
        if candidate["author_key"] == other["author_key"]:
            return True
        group = candidate.get("dup_group")
        if group is not None and group == other.get("dup_group"):
            return True
    return False


def adds_new(key: str, candidate: dict, chosen: Iterable[dict]) -> float:
    """1 when the candidate brings a value of `key` (channel, topic, sentiment label) the
    proposed quotes lack; spreads a story over channels and viewpoints."""
    value = candidate.get(key)
    if value is None:
        return 0.0
    return 0.0 if any(other.get(key) == value for other in chosen) else 1.0


def channel_of(comment: dict) -> str:
    """Where readers saw the story: the channel's label (origin) or the channel name."""
    return comment.get("origin") or comment["channel"]


def reason_line(candidate: dict) -> str:
    """The one line that explains a proposal: "点赞 45 · 话题「供暖」· 掌上株洲 · 具体"."""
    parts = [f"点赞 {candidate['likes']}"]
    if candidate.get("topic_label"):
        parts.append(f"话题「{candidate['topic_label']}」")
    parts.append(candidate["channel_label"])
    if candidate.get("sentiment") == "negative":
        parts.append("偏负面")
    if candidate.get("specific", 0) >= 2 / DETAIL_HITS:
        parts.append("具体")
    if candidate.get("copies"):
        parts.append(f"另有 {candidate['copies']} 条相同评论")
    if candidate.get("trim"):
        parts.append(f"建议节选至 {len(candidate['trim'])} 字")
    return " · ".join(parts)
