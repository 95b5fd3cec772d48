"""Moderation states, decision actions and who counts as automatic, as named strings (never
magic integers)."""

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATES = (PENDING, APPROVED, REJECTED)
STATE_NAMES = {PENDING: "待审", APPROVED: "已通过", REJECTED: "已拒绝"}

# The moderation actions and the state each leads to.
ACTIONS = {"approve": APPROVED, "reject": REJECTED, "reopen": PENDING}
# What counts as a moderation decision in every figure (the overview, /metrics, reports):
# an approve or a reject. The rest of the decision log is not: a reopen puts a comment back,
# editors' column work (select, draft_accept, sign_off, print), replies, holds and flags.
DECIDING_ACTIONS = ("approve", "reject")

# Automatic actors: the system itself (a reader's edit reopens a comment), a rule
# (``rule:12``) and a story mode (``mode:post``). Every other actor is a person.
SYSTEM_ACTOR = "system"
RULE_ACTOR = "rule:"
MODE_ACTOR = "mode:"
AUTOMATIC_PREFIXES = (RULE_ACTOR, MODE_ACTOR)


def is_automatic(actor: str | None) -> bool:
    """Whether a decision's actor is the system, a rule or a story mode (not a person)."""
    return actor == SYSTEM_ACTOR or str(actor or "").startswith(AUTOMATIC_PREFIXES)


REJECT_REASONS = {
    "abuse": "辱骂",
    "ad": "广告",
    "personal_data": "个人信息",
    "off_topic": "无关",
    "illegal": "违法",
    "duplicate": "重复",
    "other": "其他",
}

# Decisions, reports, appeals, account events and the texts decided are kept at least this
# long (网络安全法: network logs six months); no setting or command deletes them sooner.
RECORDS_MIN_DAYS = 180


# Every flag a comment can carry, by the name the desk, the exports and the records use.
FLAG_NAMES = {
    "banned": "违禁词",
    "suspect": "可疑词",
    "personal_data": "个人信息",
    "spam_link": "广告链接",
    "spam_solicit": "招揽广告",
    "spam_repeat": "刷屏",
    "low_information": "信息量低",
    "negative": "负面",
    "mass_posting": "批量发帖",
    "offensive": "冒犯",
    "insult": "侮辱性称呼",
    "scoring_timeout": "评分超时",
    "second_opinion": "第二意见",
}

# Every action of the decision log, by the name the desk's history, the conflict page and the
# records export use (an unknown code is shown as it is).
ACTION_NAMES = {
    "approve": "通过",
    "reject": "拒绝",
    "reopen": "重新待审",
    "hold": "暂缓推送",
    "flag_editor": "提请编辑关注",
    "select": "选入专栏",
    "draft_accept": "采用专栏草稿",
    "sign_off": "签发",
    "print": "付印",
    "reply_written": "撰写官方回复",
    "reply_signed_off": "签发官方回复",
    "reply_sent": "官方回复已发出",
    "reply_withdrawn": "撤回官方回复",
    "reply_deleted": "官方回复已从渠道删除",
    "report_upheld": "举报成立",
    "report_dismissed": "举报不成立",
    "appeal_upheld": "申诉成立",
    "appeal_denied": "申诉驳回",
    "keep_earliest": "保留最早一条、其余按重复拒绝",  # a group action (the conflict page names it)
}
