"""The click ranking page: a date range, a server-rendered SVG bar chart, TXT/DOCX exports."""

from __future__ import annotations

from datetime import date as Date
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, render_template, request

from moderation.export import ranking as board
from moderation.roles import EDITOR
from moderation.storage import ranking as ranking_store
from moderation.timeutil import local_today
from moderation.web.auth import role_required
from moderation.web.context import get_db

bp = Blueprint("ranking", __name__, url_prefix="/ranking")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BAR_AREA = 420  # px of the longest bar
ROW = 30
DATE_HINT = "日期格式应为 2024-01-25，请重新选择。"


def _range() -> tuple[Date, Date]:
    """The requested range, default the seven days up to today (or up to the newest story,
    when nothing was published this week); 400 for a bad or reversed range."""
    try:
        end = Date.fromisoformat(request.args.get("to") or _default_end().isoformat())
        start = Date.fromisoformat(
            request.args.get("from") or (end - timedelta(days=6)).isoformat()
        )
    except (ValueError, OverflowError):
        abort(400, DATE_HINT)
    if not (Date.min < start and end < Date.max):  # the query widens the range by a day
        abort(400, DATE_HINT)
    if end < start or (end - start).days > 366:
        abort(400, "截止日期不能早于起始日期，跨度最多一年。")
    return start, end


def _default_end() -> Date:
    """Today, unless the newest stored story is older than a week: then its day."""
    newest = ranking_store.newest_publication(get_db())
    today = local_today()
    if not newest:
        return today
    try:
        latest = board.local_date(newest)
    except ValueError:
        return today
    return latest if (today - latest).days > 6 else today


def chart_rows(stories: list[board.RankedStory]) -> list[dict]:
    """Bar geometry for the SVG: one row per story, widths relative to the top story."""
    top = max((story.reads for story in stories), default=0) or 1
    return [
        {
            "y": index * ROW,
            "width": max(round(story.reads / top * BAR_AREA), 1),
            "label": story.title if len(story.title) <= 18 else story.title[:17] + "…",
            "title": story.title,
            "count": board.format_count(story.reads),
        }
        for index, story in enumerate(stories)
    ]


@bp.get("/")
@role_required(EDITOR)
def index():
    """The ranking of a date range, as a chart and as the printed block."""
    start, end = _range()
    stories = board.rank_stories(get_db(), start, end)
    labels = {c.name: c.label or c.name for c in current_app.config["SETTINGS"].channels}
    return render_template(
        "ranking/index.html",
        start=start,
        end=end,
        stories=stories,
        rows=chart_rows(stories),
        row_height=ROW,
        bar_area=BAR_AREA,
        text=board.ranking_text(start, end, stories),
        channels={
            story.story_id: "、".join(labels.get(name, name) for name in story.channels)
            for story in stories
        },
    )


@bp.get("/export.<any(txt, docx):fmt>")
@role_required(EDITOR)
def download(fmt: str):
    """The ranking block as TXT (UTF-8) or DOCX, exactly as printed."""
    start, end = _range()
    stories = board.rank_stories(get_db(), start, end)
    name = f"ranking-{start.isoformat()}-{end.isoformat()}.{fmt}"
    if fmt == "txt":
        body = board.ranking_text(start, end, stories).encode("utf-8")
        content_type = "text/plain; charset=utf-8"
    else:
        body, content_type = board.ranking_docx(start, end, stories), DOCX
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )
