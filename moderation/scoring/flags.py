"""Moderation flags for one comment: banned and suspect words, personal data, spam, noise.

Word lists are matched with Aho-Corasick over ``textnorm.normalize`` output, so they work
inside Chinese sentences (no word boundaries) and see through full-width/half-width,
traditional/simplified, case and inserted separators (``垃 圾``, ``垃*圾``, ``ＳＢ``, ``發票``).
Every span points into the ORIGINAL text; a split word's span runs from its first to its
last character. Only ``banned`` rejects automatically; every other flag asks for review.

机器标记 (the flagged queue) holds comments with a reason a moderator must act on: every flag
code except the ``FACET_CODES``. Those (``low_information``, ``mass_posting``) are shown on
the card, filter and sort, but alone do not put a comment into the queue. Negative sentiment
is no flag at all: it is the sentiment label, a facet that sorts, filters, charts, alerts and
reports (``negative`` is kept below only to read flags stored before this change).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import ahocorasick

from .personal_data import find_personal_data
from .textnorm import NormalizedText, normalize, normalize_text

BANNED = "banned"
SUSPECT = "suspect"
INSULT = "insult"
PERSONAL_DATA = "personal_data"
SPAM_LINK = "spam_link"
SPAM_SOLICIT = "spam_solicit"
SPAM_REPEAT = "spam_repeat"
LOW_INFORMATION = "low_information"
MASS_POSTING = "mass_posting"
NEGATIVE = "negative"  # no longer raised: stored by older versions
SCORING_TIMEOUT = "scoring_timeout"
CODES = (
    BANNED,
    SUSPECT,
    INSULT,
    PERSONAL_DATA,
    SPAM_LINK,
    SPAM_SOLICIT,
    SPAM_REPEAT,
    LOW_INFORMATION,
    MASS_POSTING,
    NEGATIVE,
    SCORING_TIMEOUT,
)
# Shown on the card and filterable, but on their own no reason for 机器标记.
FACET_CODES = frozenset({LOW_INFORMATION, MASS_POSTING, NEGATIVE})

REJECT = "reject"
REVIEW = "review"

# Phrases that invite readers off the platform or advertise; matched like the word lists.
DEFAULT_SOLICIT_WORDS = (
    "加微信", "加威信", "加薇信", "加v信", "加v", "加vx", "加wx", "加qq", "加扣扣",
    "私聊", "私信我", "扫码", "扫二维码", "代开发票", "兼职日结", "日结兼职", "招代理",
    "点击链接", "加群", "进群",
)  # fmt: skip

_TLDS = (
    "com|cn|net|org|top|xyz|vip|cc|info|io|me|ly|app|site|shop|club|link|tk|co|biz|ltd|"
    "wang|ink|pro|fun|icu|online|store|live|tv"
)
# At most MAX_LABELS labels before the top-level domain: with an unbounded `+`, every label
# start of ("a。" * 10000) scanned to the end of the text before failing (quadratic: 0.6 s
# a comment, 2.4 s at 20,000 characters). Bounded, a start scans at most 16 labels of 64
# characters, so the cost is linear in the text; real host names have far fewer labels.
MAX_LABELS = 16
_LINK_RE = re.compile(
    r"(?:https?|ftp)://[a-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+"
    rf"|(?<![a-z0-9\-.@])(?:[a-z0-9][a-z0-9\-]{{0,62}}[.。]){{1,{MAX_LABELS}}}"
    rf"(?:{_TLDS})(?![a-z0-9\-])(?:/[a-z0-9\-._~/?=&%#]*)?"
)
_MAY_LINK = re.compile(r"[a-z0-9]")
_MODIFIERS = "\ufe0f\U0001f3fb-\U0001f3ff"
# Runs of these are layout (ellipses, rules), not floods.
_NOT_FLOOD = r"\s\d….。·\-—_~～=*"
# The UI highlights; it does not need every one of 500 000 hits.
MAX_SPANS = 100


@dataclass(frozen=True)
class Span:
    """A ``[start, end)`` range of the original text and the characters it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Flag:
    """One reason to look at a comment: stable ``code``, Chinese ``reason``, where, and action."""

    code: str
    reason: str
    spans: tuple[Span, ...]
    action: str


@dataclass(frozen=True)
class FlagRules:
    """The newsroom's word lists and thresholds; plain data so it can come from config."""

    banned_words: tuple[str, ...] = ()
    suspect_words: tuple[str, ...] = ()
    min_length: int = 4
    max_repeat: int = 6
    solicit_words: tuple[str, ...] = DEFAULT_SOLICIT_WORDS
    # Identity and personal insults (lexicon.py): a flag, and evidence for the offensive level.
    insult_words: tuple[str, ...] = ()
    # Phrases of a crime or scam report: the offensive model alone does not flag them.
    report_words: tuple[str, ...] = ()
    # Compounds that contain a listed word but are harmless, e.g. 滚动 for 滚.
    allowed_words: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Match:
    """A word-list hit: the listed word and its normalised ``[start, end)`` range."""

    word: str
    start: int
    end: int


def _is_ascii_letter(char: str) -> bool:
    """Tell whether a (folded) character is an ASCII letter, for word edges of Latin words."""
    return char.isascii() and char.isalpha()


class _WordMatcher:
    """One Aho-Corasick automaton over the normalised forms of a word list."""

    def __init__(self, words: tuple[str, ...]):
        self.automaton = ahocorasick.Automaton()
        for word in words:
            key = normalize_text(word)
            if key:
                self.automaton.add_word(key, (word, key))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()

    def matches(self, normalized: NormalizedText, original: str) -> Iterator[_Match]:
        """Find every listed word; Latin words must not touch other Latin letters (USB ≠ SB)."""
        if self.empty:
            return
        for last, (word, key) in self.automaton.iter(normalized.text):
            start = last - len(key) + 1
            if not _touches_letters(key, normalized.span(start, last + 1), original):
                yield _Match(word, start, last + 1)


def _touches_letters(key: str, span: tuple[int, int], original: str) -> bool:
    """Tell whether a match of a Latin-edged word sits inside a longer Latin word."""
    start, end = span
    before = normalize_text(original[start - 1], keep_separators=True) if start > 0 else ""
    after = normalize_text(original[end], keep_separators=True) if end < len(original) else ""
    return (_is_ascii_letter(key[0]) and _is_ascii_letter(before[-1:])) or (
        _is_ascii_letter(key[-1]) and _is_ascii_letter(after[:1])
    )


class FlagChecker:
    """Checks comments against one rule set; build it once with ``build_checker``."""

    def __init__(self, rules: FlagRules):
        self.rules = rules
        self._banned = _WordMatcher(rules.banned_words)
        self._suspect = _WordMatcher(rules.suspect_words)
        self._solicit = _WordMatcher(rules.solicit_words)
        self._allowed = _WordMatcher(rules.allowed_words)
        self._insult = _WordMatcher(rules.insult_words)
        self._report = _WordMatcher(rules.report_words)
        self._repeat = re.compile(
            rf"([^{_NOT_FLOOD}][{_MODIFIERS}]?)(?:[ \u3000]?\1){{{max(rules.max_repeat, 1)},}}"
        )

    def check(
        self,
        text: str,
        deadline: float | None = None,
        later: tuple[str, ...] = (),
    ) -> list[Flag]:
        """Return every flag raised by ``text``.

        Past ``deadline`` (a ``time.monotonic()`` value) the checks not yet run are skipped
        and a ``scoring_timeout`` flag names them, and the caller's ``later`` steps; the word
        lists always run.
        """
        normalized = normalize(text)
        flags = self._word_flags(text, normalized)
        steps: tuple[tuple[str, Callable[[], list[Flag]]], ...] = (
            ("个人信息", lambda: _personal_data_flags(text)),
            ("链接", lambda: _link_flags(text)),
            ("引流用语", lambda: self._solicit_flags(text, normalized)),
            ("刷屏", lambda: self._repeat_flags(text)),
            ("信息量", lambda: self._low_information_flags(text, normalized)),
        )
        for number, (_, step) in enumerate(steps):
            if deadline is not None and time.monotonic() > deadline:
                flags.append(timeout_flag([name for name, _ in steps[number:]] + [*later]))
                break
            flags += step()
        return flags

    def _word_flags(self, text: str, normalized: NormalizedText) -> list[Flag]:
        """Banned words reject, suspect words ask for review; allowed compounds excuse both."""
        allowed: dict[int, int] = {}
        for ok in self._allowed.matches(normalized, text):
            allowed[ok.start] = max(ok.end, allowed.get(ok.start, 0))
        longest = max((len(word) for word in self.rules.allowed_words), default=0)
        flags = []
        for code, matcher, label, action in (
            (BANNED, self._banned, "含禁用词", REJECT),
            (SUSPECT, self._suspect, "含可疑词", REVIEW),
            (INSULT, self._insult, "含侮辱性称呼", REVIEW),
        ):
            found = matcher.matches(normalized, text)
            hits = list(islice((h for h in found if not _excused(h, allowed, longest)), MAX_SPANS))
            if hits:
                flags.append(_word_flag(code, label, hits, text, normalized, action))
        return flags

    def is_report(self, text: str) -> bool:
        """Whether the text has a phrase of a crime or scam report (``report_words``)."""
        return next(self._report.matches(normalize(text), text), None) is not None

    def _solicit_flags(self, text: str, normalized: NormalizedText) -> list[Flag]:
        """Flag phrases that pull readers to private channels or sell something."""
        hits = list(islice(self._solicit.matches(normalized, text), MAX_SPANS))
        if not hits:
            return []
        return [_word_flag(SPAM_SOLICIT, "含引流或广告用语", hits, text, normalized, REVIEW)]

    def _repeat_flags(self, text: str) -> list[Flag]:
        """Flag one character or emoji repeated more than ``max_repeat`` times in a row."""
        found = islice(self._repeat.finditer(text), MAX_SPANS)
        spans = [_span(text, m.start(), m.end()) for m in found]
        if not spans:
            return []
        units = "、".join(dict.fromkeys(span.text.strip()[:1] for span in spans))
        return [Flag(SPAM_REPEAT, f"字符或表情刷屏：{units}", tuple(spans), REVIEW)]

    def _low_information_flags(self, text: str, normalized: NormalizedText) -> list[Flag]:
        """Flag comments with too little to read: empty, symbols or emoji only, very short."""
        meaningful = normalized.text
        if not meaningful:
            reason = "仅含符号或表情" if text.strip() else "内容为空"
        elif len(meaningful) < self.rules.min_length:
            reason = f"内容过短（{len(meaningful)}个有效字符）"
        elif len(set(meaningful)) == 1:
            reason = "内容为单字重复"
        else:
            return []
        spans = (_span(text, 0, len(text)),) if text else ()
        return [Flag(LOW_INFORMATION, reason, spans, REVIEW)]


def timeout_flag(skipped: list[str]) -> Flag:
    """The flag of a comment whose scoring ran past its time budget, naming what was skipped."""
    return Flag(SCORING_TIMEOUT, f"评分超时，未完成：{'、'.join(skipped)}，请人工审核", (), REVIEW)


def build_checker(rules: FlagRules) -> FlagChecker:
    """Build the Aho-Corasick automata once per rule set, not once per comment."""
    return FlagChecker(rules)


def _span(text: str, start: int, end: int) -> Span:
    """Make a span of the original text."""
    return Span(start, end, text[start:end])


def _excused(hit: _Match, allowed: dict[int, int], longest: int) -> bool:
    """Tell whether a hit lies inside an allowed compound (滚 inside 滚动)."""
    first = max(0, hit.end - longest)
    return any(allowed.get(start, -1) >= hit.end for start in range(first, hit.start + 1))


def _word_flag(code, label, hits, text, normalized, action) -> Flag:
    """Build one flag listing the distinct listed words and every original span."""
    words = "、".join(dict.fromkeys(hit.word for hit in hits))
    spans = sorted({normalized.span(hit.start, hit.end) for hit in hits})
    return Flag(code, f"{label}：{words}", tuple(_span(text, s, e) for s, e in spans), action)


def _personal_data_flags(text: str) -> list[Flag]:
    """One review flag per kind of personal data (手机号, 身份证号, ...)."""
    by_kind: dict[str, list[Span]] = {}
    for item in find_personal_data(text):
        by_kind.setdefault(item.kind, []).append(Span(item.start, item.end, item.text))
    return [
        Flag(PERSONAL_DATA, f"含个人信息：{kind}", tuple(spans[:MAX_SPANS]), REVIEW)
        for kind, spans in by_kind.items()
    ]


def _link_flags(text: str) -> list[Flag]:
    """Flag URLs and bare domains, also when written in full-width characters."""
    folded = normalize(text, keep_separators=True)
    if not _MAY_LINK.search(folded.text):
        return []  # every link has an ASCII letter or digit (after width folding)
    found = islice(_LINK_RE.finditer(folded.text), MAX_SPANS)
    spans = [_span(text, *folded.span(m.start(), m.end())) for m in found]
    if not spans:
        return []
    return [Flag(SPAM_LINK, "含链接或网址", tuple(spans), REVIEW)]


class WordFinder:
    """Finds listed words or phrases in texts, seeing through the same evasions as the word
    lists (width, case, traditional characters, separators): for keyword subscriptions."""

    def __init__(self, words):
        self._matcher = _WordMatcher(tuple(word for word in words if word.strip()))

    def find(self, text: str) -> list[str]:
        """The listed words the text contains, each once, sorted."""
        if self._matcher.empty:
            return []
        return sorted({hit.word for hit in self._matcher.matches(normalize(text), text)})
