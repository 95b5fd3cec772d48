"""The search page: comment text by default, titles as their own scope, counted, filtered,
ranked, the match highlighted."""

import re

from moderation.storage import search


def count_of(html: str) -> int:
    return int(re.search(r"找到 <strong>(\d+)\+?</strong> 条", html).group(1))


def test_search_scopes_text_by_default_and_titles_apart(client, collected, login):
    login()
    text_page = client.get("/search?q=下雪").get_data(as_text=True)
    title_page = client.get("/search?q=下雪&scope=title").get_data(as_text=True)
    texts = collected.execute("SELECT COUNT(*) FROM comments WHERE text LIKE '%下雪%'").fetchone()
    assert count_of(text_page) == texts[0]
    assert count_of(title_page) > count_of(text_page)  # every comment on 下雪啦
    assert '<mark class="hit">下雪</mark>' in text_page
    assert "评论内容中找到" in text_page and "稿件标题中找到" in title_page


def test_search_filters_by_status_and_channel(client, collected, login):
    login()
    rows, total = search.search_comments(collected, "下雪", filters={"status": "approved"})
    assert (rows, total) == ([], 0)
    html = client.get("/search?q=下雪&status=approved").get_data(as_text=True)
    assert count_of(html) == 0
    rows, total = search.search_comments(collected, "下雪", filters={"channel": "demo"})
    assert total == len(rows) > 0 and all("下雪" in row["text"] for row in rows)


def test_search_relevance_puts_spam_and_copies_last(collected):
    rows, _ = search.search_comments(collected, "下雪")
    demoted = [
        "spam_" in (row["flag_codes"] or "")
        or "mass_posting" in (row["flag_codes"] or "")
        or (row["dup_group"] is not None and row["dup_group"] != row["id"])
        for row in rows
    ]
    assert demoted == sorted(demoted)  # every demoted row after every other
    newest = search.search_comments(collected, "下雪", order="newest")[0]
    assert [row["created_at"] for row in newest] == sorted(
        (row["created_at"] for row in newest), reverse=True
    )
