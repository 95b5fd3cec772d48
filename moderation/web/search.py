"""The search page: comment text by default (story titles as a separate scope), ranked by
relevance or time, counted, filtered by status, channel and story, the match highlighted."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request, url_for

from moderation.states import STATES
from moderation.storage import channels as channel_store
from moderation.storage import search as search_store
from moderation.web.context import get_db, sqlite_int
from moderation.web.queue import annotate

bp = Blueprint("search", __name__)
PAGE_SIZE = 20
MAX_PAGE = 50  # 1,000 results: the count's cap


def hit_spans(text: str, words: list[str]) -> list[dict]:
    """The matched words of `text` as one highlight "flag" (same shape as the scorer's)."""
    spans = []
    for word in words:
        for match in re.finditer(re.escape(word), text, flags=re.IGNORECASE):
            spans.append({"start": match.start(), "end": match.end(), "text": match.group()})
    return [{"code": "hit", "reason": "搜索匹配", "spans": spans}] if spans else []


def read_search_args() -> dict:
    """The query, scope, order, filters and page from the query string (bad values ignored)."""
    args = request.args
    scope = args.get("scope", "text")
    order = args.get("order", "relevance")
    status = args.get("status") or None
    return {
        "q": args.get("q", "").strip()[:100],
        "scope": scope if scope in search_store.SCOPES else "text",
        "order": order if order in search_store.SEARCH_ORDERS else "relevance",
        "status": status if status in STATES else None,
        "channel": (args.get("channel") or "")[:64] or None,
        "story": args.get("story", type=sqlite_int),
        "page": min(max(args.get("page", 1, type=int), 1), MAX_PAGE),
    }


@bp.get("/search")
def index():
    """Comments whose text (or story title, ?scope=title) contains every term of ?q=."""
    params = read_search_args()
    db = get_db()
    comments, total = [], 0
    if params["q"]:
        comments, total = search_store.search_comments(
            db,
            params["q"],
            scope=params["scope"],
            order=params["order"],
            filters={
                "status": params["status"],
                "channel": params["channel"],
                "story_id": params["story"],
            },
            limit=PAGE_SIZE,
            offset=(params["page"] - 1) * PAGE_SIZE,
        )
    words = search_store.terms(params["q"])
    comments = annotate(db, comments, claim=False)
    if params["scope"] == "text":
        for comment in comments:
            comment["hits"] = hit_spans(comment["text"], words)
    link = {k: v for k, v in params.items() if v and k != "page"}
    more = params["page"] * PAGE_SIZE < total and params["page"] < MAX_PAGE
    return render_template(
        "search/index.html",
        query=params["q"],
        params=params,
        comments=comments,
        total=total,
        count_cap=search_store.SEARCH_COUNT_CAP,
        scopes=search_store.SCOPES,
        orders=search_store.SEARCH_ORDERS,
        link=link,
        channels=channel_store.channel_names(db),
        next_url=url_for("search.index", **link, page=params["page"] + 1) if more else None,
        here=request.full_path.rstrip("?"),
    )
