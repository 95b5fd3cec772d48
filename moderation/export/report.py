"""The 舆情 daily and weekly reports: what readers said in a period, for the chief editor.

`gather` reads everything once into a :class:`Report`; `report_docx` and `report_html`
render it. Both are byte-for-byte reproducible for the same data (the DOCX pinned to the
period's last day, the HTML without a generation time), so the archive can tell a real
change from a regeneration. Quotes are masked like every other export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2

from moderation.desk_metrics import DeskMetrics, desk_metrics
from moderation.export import docx_export
from moderation.export.masking import mask
from moderation.export.ranking import RankedStory, format_count, month_day, rank_stories
from moderation.storage import alerts as alert_store
from moderation.storage import reports as store
from moderation.timeutil import BEIJING, day_bounds, local_time

KINDS = {"daily": "日报", "weekly": "周报"}


@dataclass
class Report:
    """A report's content, ready to render."""

    kind: str
    first: date
    last: date
    volume: list[dict] = field(default_factory=list)  # {day, channel, comments}
    stories: list[dict] = field(default_factory=list)  # most commented, with keywords
    negative: list[dict] = field(default_factory=list)  # most negative (by share)
    quotes: list[dict] = field(default_factory=list)  # approved, masked
    alerts: list[dict] = field(default_factory=list)
    ranking: list[RankedStory] = field(default_factory=list)
    metrics: DeskMetrics | None = None

    @property
    def title(self) -> str:
        """株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）."""
        return report_title(self.kind, self.first, self.last)


def report_title(kind: str, first: date, last: date) -> str:
    """株洲日报 评论舆情周报（2024-01-19 至 2024-01-25）: the heading, the mail's subject."""
    span = first.isoformat() if first == last else f"{first.isoformat()} 至 {last.isoformat()}"
    return f"株洲日报 评论舆情{KINDS[kind]}（{span}）"


def filename_stem(kind: str, last: date | str) -> str:
    """舆情周报-2024-01-25: the period's last day names the report's files."""
    day = last if isinstance(last, str) else last.isoformat()
    return f"舆情{KINDS[kind]}-{day}"


def keywords_for(data_path):
    """The story page's keyword extraction (``scoring.keywords``, one TF-IDF), for reports:
    `keywords(texts)` -> [(word, weight)]."""
    from moderation.scoring.fast_segment import cache_dir_for
    from moderation.scoring.groups import top_terms
    from moderation.scoring.keywords import words_of

    segment = words_of(cache_dir_for(data_path))
    return lambda texts, limit=12: top_terms(texts, segment, limit)


def period_for(kind: str, day: date) -> tuple[date, date]:
    """The period a report on `day` covers: that day, or the seven days ending on it."""
    return (day, day) if kind == "daily" else (day - timedelta(days=6), day)


def gather(db, kind: str, first: date, last: date, keywords=None) -> Report:
    """Read a period's report from the database; `keywords(texts)` names a story's topics."""
    since, until = day_bounds(first, last)
    stories = store.story_reactions(db, since, until, limit=10)
    for story in stories:
        texts = store.story_texts(db, story["story_id"], since, until)
        story["keywords"] = [word for word, _ in keywords(texts)][:6] if keywords else []
        story["negative"] = story["negative"] or 0
        story["share"] = story["negative"] / story["comments"] if story["comments"] else 0.0
    negative = sorted(
        (s for s in stories if s["negative"]), key=lambda s: (-s["share"], -s["negative"])
    )[:5]
    quotes = [
        {**quote, "text": mask(quote["text"]), "author_name": quote["author_name"] or "网友"}
        for quote in store.notable_quotes(db, since, until, limit=10)
    ]
    end_of_period = datetime.combine(last + timedelta(days=1), datetime.min.time(), BEIJING)
    return Report(
        kind=kind,
        first=first,
        last=last,
        volume=store.volume_by_channel_day(db, since, until),
        stories=stories,
        negative=negative,
        quotes=quotes,
        alerts=alert_store.alerts_between(db, since, until),
        ranking=rank_stories(db, first, last),
        metrics=desk_metrics(db, first, last, "day", now=end_of_period),
    )


def summary_lines(report: Report) -> list[str]:
    """The few lines a robot or an e-mail body carries."""
    total = sum(row["comments"] for row in report.volume)
    lines = [f"评论 {total} 条，涉及稿件 {len(report.stories)} 篇以上。"]
    if report.stories:
        top = report.stories[0]
        lines.append(f"评论最多：《{top['title']}》{top['comments']} 条。")
    if report.negative:
        worst = report.negative[0]
        lines.append(f"负面占比最高：《{worst['title']}》{worst['share']:.0%}。")
    lines.append(f"预警 {len(report.alerts)} 次。")
    return lines


def report_docx(report: Report) -> bytes:
    """The report as DOCX: headings, tables and quotes, pinned to the period's last day."""
    document = docx_export.new_document(
        report.title, docx_export.stamp_for(report.last.isoformat())
    )
    document.add_heading(report.title, level=1)
    for line in summary_lines(report):
        document.add_paragraph(line)
    _section(
        document,
        "一、各渠道评论量",
        ["日期", "渠道", "评论数"],
        [(r["day"], r["channel"], str(r["comments"])) for r in report.volume],
    )
    _section(
        document,
        "二、评论最多的稿件",
        ["稿件", "评论数", "负面", "热词"],
        [
            (s["title"], str(s["comments"]), str(s["negative"]), "、".join(s["keywords"]))
            for s in report.stories
        ],
    )
    _section(
        document,
        "三、负面占比最高的稿件",
        ["稿件", "负面", "占比"],
        [(s["title"], str(s["negative"]), f"{s['share']:.0%}") for s in report.negative],
    )
    document.add_heading("四、网友观点摘录", level=2)
    for quote in report.quotes:
        document.add_paragraph(f"网友@{quote['author_name']}：{quote['text']}")
    _section(
        document,
        "五、预警",
        ["时间", "规则", "内容"],
        [
            (local_time(a["fired_at"], "%m-%d %H:%M"), a["rule_name"], a["title"])
            for a in report.alerts
        ],
    )
    _section(
        document,
        "六、新闻点击排行榜",
        ["排名", "稿件", "阅读"],
        [(str(n), s.title, format_count(s.reads)) for n, s in enumerate(report.ranking, 1)],
    )
    if report.metrics:
        _section(
            document,
            "七、审核工作量",
            ["日期", "审核员", "通过", "拒绝"],
            [
                (m["period"], m["actor"], str(m["approve"]), str(m["reject"]))
                for m in report.metrics.by_moderator
            ],
        )
    return docx_export.fixed_zip(document)


def _section(document, heading: str, columns: list[str], rows: list[tuple]) -> None:
    document.add_heading(heading, level=2)
    if not rows:
        document.add_paragraph("（本期无）")
        return
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text


def report_html(report: Report) -> bytes:
    """The report as a standalone HTML page (autoescaped Jinja, no dashboard needed)."""
    html = (
        _templates()
        .get_template("reports/report.html")
        .render(
            report=report,
            summary=summary_lines(report),
            format_count=format_count,
            month_day=month_day,
            local_time=local_time,
        )
    )
    return html.encode("utf-8")


def _templates():
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True
    )


TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # the dashboard's, at the top
