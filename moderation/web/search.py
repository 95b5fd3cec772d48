"""Full-text search over comment text and story titles."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from moderation.storage import search as search_store
from moderation.web.context import get_db, sqlite_int
from moderation.web.queue import annotate

bp = Blueprint("search", __name__)
PAGE_SIZE = 20


@bp.get("/search")
def index():
    """Comments whose text or story title contains every term of ?q=, newest first."""
    query = request.args.get("q", "").strip()[:100]
    before = request.args.get("before", type=sqlite_int)
    db = get_db()
    comments = search_store.search(db, query, PAGE_SIZE + 1, before) if query else []
    more = len(comments) > PAGE_SIZE
    comments = annotate(db, comments[:PAGE_SIZE], claim=False)
    return render_template(
        "search/index.html",
        query=query,
        comments=comments,
        before=comments[-1]["id"] if more and comments else None,
        here=request.full_path.rstrip("?"),
    )
