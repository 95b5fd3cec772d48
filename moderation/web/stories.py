"""Story view: every comment on one story across channels, its sentiment distribution,
top keywords and topic groups."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from moderation.roles import EDITOR
from moderation.scoring.fast_segment import cache_dir_for
from moderation.storage import stats
from moderation.storage import stories as story_store
from moderation.web import charts
from moderation.web import push as push_view
from moderation.web.auth import current_actor, role_required
from moderation.web.context import get_db, sqlite_int
from moderation.web.keywords import segmenter, top_keywords, topic_groups
from moderation.web.queue import annotate

bp = Blueprint("stories", __name__)


@bp.get("/stories")
def index():
    """Stories with the most comments, counted across channels, with their comment switch."""
    db = get_db()
    stories = stats.top_stories(db)
    return render_template(
        "stories/index.html",
        stories=stories,
        switches=push_view.switch_outcomes(db, [story["id"] for story in stories]),
        here=request.full_path.rstrip("?"),
    )


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
    segment = segmenter(cache_dir_for(current_app.config["SETTINGS"].data_path))
    topics = [
        {**topic, "comments": [by_id[i] for i in topic["ids"] if i in by_id][:5]}
        for topic in topic_groups(comments, segment)
    ]
    return render_template(
        "stories/show.html",
        story=linked[0],
        linked=linked,
        comments=annotate(db, comments[:50], claim=False),
        total=len(comments),
        chart=chart,
        keywords=top_keywords(texts, segment),
        topics=topics,
        here=request.full_path.rstrip("?"),
        **push_view.story_switches(db, story_id),
    )


@bp.post("/stories/<int:story_id>/link")
@role_required(EDITOR)
def link(story_id: int):
    """Link this story with another one (the same story in another channel), by hand."""
    target = request.form.get("target", type=sqlite_int)  # out of SQLite's range: missing
    if target is None:
        abort(400, "填写要合并的稿件编号")
    try:
        group = story_store.link_story(get_db(), story_id, target, current_actor())
    except story_store.LinkError as error:
        abort(400, str(error))
    flash("已合并为同一稿件。")
    return redirect(url_for("stories.show", story_id=group))


@bp.post("/stories/<int:story_id>/unlink")
@role_required(EDITOR)
def unlink(story_id: int):
    """Take this story out of its cross-channel group, by hand."""
    try:
        story_store.unlink_story(get_db(), story_id, current_actor())
    except story_store.LinkError as error:
        abort(404, str(error))
    flash("已拆分为单独的稿件。")
    return redirect(url_for("stories.show", story_id=story_id))
