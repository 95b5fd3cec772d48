"""The shipped insult lexicon and the phrases that mark a report of a crime or a scam.

Both are defaults of editable word lists (``[scoring] insult_words`` and ``report_words`` in
config.toml, plus the dashboard's 词表 page). They work with the offensive model
(``offensive.judge``):

* an **insult** word (regional, body, occupational and staff insults, political labels) is a
  flag of its own (``insult``, with the word highlighted) and raises the offensive level to
  reject when the model agrees even a little (score >= ``INSULT_MODEL_FLOOR``), so
  ``肥猪价格又涨了`` (a farming price) stays civil while ``那个主持人肥猪一样`` is rejected;
* a **report** phrase marks a comment that reports a crime or warns of a scam (骗子电话又来了，
  大家小心; 小偷已经被抓了): the model, trained on COLD, reads 骗子/小偷 as slurs. Without an
  insult word, such a comment is not flagged for review on the model's word alone; a score
  at the reject threshold still asks for review.

The words were listed by kind of insult, not fitted to any test set; the newsroom evaluation
set's figures (docs/signals.md) say how far they carry.
"""

from __future__ import annotations

INSULT_MODEL_FLOOR = 0.2

REGIONAL = (
    "地域黑", "乡巴佬", "乡下佬", "土包子", "土鳖", "外地佬", "北佬", "捞仔", "刁民",
    "穷鬼", "蛮子", "南蛮", "湖南骡子", "河南骗子",
)  # fmt: skip
BODY = (
    "肥猪", "死胖子", "肥婆", "胖猪", "矮冬瓜", "丑八怪", "死瘸子", "瘸子", "残废", "死瞎子",
    "聋子", "猪头", "秃驴",
)  # fmt: skip
STAFF = (
    "狗官", "贪官狗", "狗记者", "白衣狗", "城管狗", "黑警", "警狗", "狗腿子", "收钱的狗",
    "吸血鬼", "蛀虫", "奴才", "狗奴才",
)  # fmt: skip
LABELS = (
    "五毛", "五毛狗", "美分", "美分狗", "公知狗", "汉奸", "走狗", "舔狗", "跪舔",
    "水军狗",
)  # fmt: skip
GENERAL = (
    "畜生", "傻缺", "脑残", "弱智", "智障", "神经病", "娘炮", "贱人", "婊子", "人渣",
    "败类", "杂种", "全家死", "死全家", "吃屎", "滚回", "垃圾东西", "老女人",
)  # fmt: skip
DEFAULT_INSULT_WORDS = REGIONAL + BODY + STAFF + LABELS + GENERAL

DEFAULT_REPORT_WORDS = (
    "骗子电话", "诈骗电话", "电信诈骗", "网络诈骗", "养老诈骗", "诈骗", "被骗", "上当受骗",
    "大家小心", "提醒大家", "提醒一下", "注意防范", "千万别信", "不要相信", "别信",
    "报警", "110", "民警", "警方", "派出所", "公安", "被抓", "抓到了", "抓获", "落网",
    "被判", "判刑", "严惩", "冒充",
)  # fmt: skip
