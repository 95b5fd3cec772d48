"""Moderation states and decision actions, as named strings (never magic integers)."""

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
STATES = (PENDING, APPROVED, REJECTED)

SYSTEM_ACTOR = "system"

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
