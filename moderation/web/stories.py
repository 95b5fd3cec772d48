"""Story view: every comment on one story across channels, its sentiment distribution,
top keywords and topic groups."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from moderation.storage import stats
from moderation.web import charts, get_db
from moderation.web.keywords import top_keywords, topic_groups
from moderation.web.queue import annotate

bp = Blueprint("stories", __name__)


@bp.get("/stories")
def index():
    """Stories with the most comments, counted across channels."""
    return render_template("stories/index.html", stories=stats.top_stories(get_db()))


@bp.get("/stories/<int:story_id>")
def show(story_id: int):
    """One story across channels."""
    db = get_db()
    linked = stats.story_group(db, story_id)
    if not linked:
        abort(404)
    comments = stats.story_comments(db, [story["id"] for story in linked])
    histogram = stats.sentiment_histogram(comments)
    buckets = len(histogram)
    chart = charts.bar_chart(
        [f"{i / buckets:.1f}" for i in range(buckets)],
        histogram,
        "情感分布（0 负面 → 1 正面）",
        "条",
    )
    texts = [comment["text"] for comment in comments]
    by_id = {comment["id"]: comment for comment in comments}
    topics = [
        {**topic, "comments": [by_id[i] for i in topic["ids"] if i in by_id][:5]}
        for topic in topic_groups(comments)
    ]
    return render_template(
        "stories/show.html",
        story=linked[0],
        linked=linked,
        comments=annotate(db, comments[:50], claim=False),
        total=len(comments),
        chart=chart,
        keywords=top_keywords(texts),
        topics=topics,
        here=request.full_path.rstrip("?"),
    )
