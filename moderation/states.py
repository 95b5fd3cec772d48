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
