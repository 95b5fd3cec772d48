"""The overview: comments per channel per day, sentiment trend, queue size, decisions per
moderator, corrections per week, as server-rendered SVG charts."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from moderation.storage import stats
from moderation.web import charts
from moderation.web.context import get_db
from moderation.web.templating import channel_labels

bp = Blueprint("overview", __name__)
DAYS = 14
WEEKS = 12
CORRECTION_KINDS = {"sentiment": "纠正情感", "offensive": "纠正冒犯"}


@bp.get("/overview")
def index():
    """Five charts over the last days (weeks, for corrections) with activity."""
    db = get_db()
    days, per_channel = charts.pivot(
        stats.comments_per_channel_day(db, DAYS), "day", "channel", "comments"
    )
    labels = channel_labels(current_app.config["SETTINGS"])  # 掌上株洲, not `app`
    per_channel = {labels.get(name, name): counts for name, counts in per_channel.items()}
    sentiment = stats.sentiment_per_day(db, DAYS)
    queue = stats.queue_size_per_day(db, DAYS)
    decision_days, per_moderator = charts.pivot(
        stats.decisions_per_moderator_day(db, DAYS), "day", "actor", "decisions"
    )
    weeks, per_kind = charts.pivot(
        stats.corrections_per_week(db, WEEKS), "week", "kind", "corrections"
    )
    per_kind = {CORRECTION_KINDS.get(kind, kind): counts for kind, counts in per_kind.items()}
    return render_template(
        "overview/index.html",
        charts=[
            charts.stacked_bars(charts.day_labels(days), per_channel, "每日评论数（按渠道）", "条"),
            charts.line_chart(
                charts.day_labels([row["day"] for row in sentiment]),
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
                charts.day_labels([row["day"] for row in queue]),
                {"待审": [row["pending"] for row in queue]},
                "待审队列规模",
                "条",
            ),
            charts.stacked_bars(
                charts.day_labels(decision_days), per_moderator, "每日审核量（按审核员）", "次"
            ),
            charts.stacked_bars(
                charts.day_labels(weeks, "起"), per_kind, "每周人工纠正（情感 / 冒犯）", "次"
            ),
        ],
    )
