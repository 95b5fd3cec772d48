"""What a rule is made of: its conditions, its action and the facts it is judged against."""

from __future__ import annotations

from dataclasses import dataclass, field

# Actions: one per rule.
REJECT, APPROVE, HOLD, FLAG_EDITOR, SET_LEVEL, ASK_SECOND_OPINION = (
    "reject",
    "approve",
    "hold",
    "flag_editor",
    "set_level",
    "ask_second_opinion",
)
ACTIONS = {
    REJECT: "拒绝",
    APPROVE: "通过",
    HOLD: "待审",
    FLAG_EDITOR: "提请编辑关注",
    SET_LEVEL: "设置作者级别",
    ASK_SECOND_OPINION: "征求第二意见",
}
# Actions after which the rules below still run (a level to use, an opinion to ask).
NON_TERMINAL = frozenset({SET_LEVEL, ASK_SECOND_OPINION})
OPINION_LEVELS = ("pass", "review", "block")  # a second opinion's risk levels

# Author levels: the first three are set by people (or a rule), the rest come from history.
TRUSTED, WATCH, MUTED = "trusted", "watch", "muted"
NEW, REGULAR, RISKY = "new", "regular", "risky"
LEVELS = {
    TRUSTED: "信任",
    WATCH: "观察",
    MUTED: "禁言",
    NEW: "新用户",
    REGULAR: "普通",
    RISKY: "高拒绝率",
}
SANCTION_LEVELS = (TRUSTED, WATCH, MUTED)
HISTORY_LEVELS = (NEW, REGULAR, RISKY)

# Condition key -> (value type, what it means, shown to admins).
CONDITIONS: dict[str, tuple[type, str]] = {
    "flags": (list, "含任一标记（代码，如 spam_link、banned）"),
    "flag_level": (str, "含某一级别的标记：reject（建议拒绝）或 review（需审核）"),
    "no_flags": (bool, "true：没有任何标记；false：至少一个标记"),
    "sentiment_below": (float, "情感分低于"),
    "sentiment_above": (float, "情感分高于"),
    "offensive_above": (float, "冒犯分高于（没有冒犯分的评论不满足）"),
    "channels": (list, "来自这些渠道"),
    "stories": (list, "属于这些稿件（编号）"),
    "story_age_days_above": (float, "评论时稿件已发布超过几天"),
    "story_age_days_below": (float, "评论时稿件发布不到几天"),
    "author_levels": (list, "作者级别为其一：trusted、watch、muted、new、regular、risky"),
    "author_approved_below": (int, "作者已通过的评论少于"),
    "author_rejected_at_least": (int, "作者被拒绝的评论至少"),
    "length_below": (int, "正文字数少于"),
    "length_above": (int, "正文字数多于"),
    "has_link": (bool, "true：含链接；false：不含链接"),
    "hours": (str, '北京时间时段，如 "22-7"（22:00 至次日 07:00）'),
    "second_opinion": (
        str,
        "第二意见的风险级别：pass（通过）、review（需审核）或 block（建议拒绝）",
    ),
}
HISTORY_CONDITIONS = frozenset({"author_approved_below", "author_rejected_at_least"})
LINK_FLAG = "spam_link"
MAX_NAME = 60
MAX_TEXT = 200
MAX_LIST = 200


class RuleError(ValueError):
    """A rule that cannot be saved as written; the message says what to change (Chinese)."""


@dataclass(frozen=True)
class Rule:
    """One ordered rule: when all its conditions hold, its action applies."""

    name: str
    action: str
    when: dict = field(default_factory=dict)
    reason: str = ""  # reject: a reason code
    queue: str = ""  # hold: the named queue
    level: str = ""  # set_level: the author's new level
    provider: str = ""  # ask_second_opinion: the provider asked (empty: the first configured)
    why: str = ""  # why the rule exists, shown beside it
    enabled: bool = True
    id: int | None = None
    position: int = 0

    def outcome_words(self) -> str:
        """The action in words, as cards show it (→ 待审（新用户）)."""
        if self.action == REJECT:
            return f"拒绝（{self.reason}）" if self.reason else "拒绝"
        if self.action == HOLD:
            return f"待审（{self.queue}）" if self.queue else "待审"
        if self.action == SET_LEVEL:
            return f"作者设为{LEVELS.get(self.level, self.level)}"
        if self.action == ASK_SECOND_OPINION:
            return f"征求第二意见（{self.provider}）" if self.provider else "征求第二意见"
        return ACTIONS[self.action]


@dataclass(frozen=True)
class AuthorFacts:
    """What is known of a comment's author (a rule's set_level gives a new one, see
    `engine.author_after`)."""

    key: str
    level: str = ""
    approved: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class Facts:
    """Everything a rule may look at for one comment."""

    comment_id: int
    text: str
    flags: list
    sentiment: float | None
    channel: str
    author: AuthorFacts
    offensive: float | None = None
    story_id: int | None = None
    story_age_days: float | None = None
    beijing_hour: int | None = None
    second_opinion: str | None = None  # the most severe level of the answers it got
