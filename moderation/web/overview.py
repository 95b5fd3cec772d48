"""The overview: comments per channel per day, sentiment trend, queue size, decisions per
moderator, as server-rendered SVG charts."""

from __future__ import annotations

from flask import Blueprint, render_template

from moderation.storage import stats
from moderation.web import charts
from moderation.web.context import get_db

bp = Blueprint("overview", __name__)
DAYS = 14


@bp.get("/overview")
def index():
    """Four charts over the last days with activity."""
    db = get_db()
    days, per_channel = charts.pivot(
        stats.comments_per_channel_day(db, DAYS), "day", "channel", "comments"
    )
    sentiment = stats.sentiment_per_day(db, DAYS)
    queue = stats.queue_size_per_day(db, DAYS)
    decision_days, per_moderator = charts.pivot(
        stats.decisions_per_moderator_day(db, DAYS), "day", "actor", "decisions"
    )
    return render_template(
        "overview/index.html",
        charts=[
            charts.stacked_bars([d[5:] for d in days], per_channel, "每日评论数（按渠道）", "条"),
            charts.line_chart(
                [row["day"][5:] for row in sentiment],
                {
                    "平均情感": [row["mean"] for row in sentiment],
                    "负面占比": [row["negative_share"] for row in sentiment],
                },
                "情感趋势",
                "",
                y_max=1,
                percent=True,
            ),
            charts.line_chart(
                [row["day"][5:] for row in queue],
                {"待审": [row["pending"] for row in queue]},
                "待审队列规模",
                "条",
            ),
            charts.stacked_bars(
                [d[5:] for d in decision_days], per_moderator, "每日审核量（按审核员）", "次"
            ),
        ],
    )
