"""A busy database answers 503 "稍后重试" with Retry-After, never a 500 "database is locked"."""

from __future__ import annotations

import sqlite3

from flask import g, render_template

from moderation.storage.retry import is_busy

RETRY_AFTER_SECONDS = 5
MESSAGE = (
    "数据库正忙（其他同事或采集任务正在写入），请稍后重试：您的操作没有生效，请几秒后重新提交。"
)


def database_error(error: sqlite3.OperationalError):
    """503 with a Chinese page for a busy database; any other database error stays a 500."""
    if not is_busy(error):
        raise error
    g.plain_page = True  # the layout skips its own database look-ups
    page = render_template("error.html", code=503, title="稍后重试", message=MESSAGE)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app) -> None:
    """Install the handler."""
    app.register_error_handler(sqlite3.OperationalError, database_error)
