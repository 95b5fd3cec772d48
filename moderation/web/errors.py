"""Error pages in Chinese, inside the normal layout: 400, 401, 403, 404, 405, 500 and 503.

A busy database is web.busy's 503 (rendered with the same page). Errors asked for as JSON get
JSON.
"""

from __future__ import annotations

import re

from flask import g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

CHINESE = re.compile(r"[\u4e00-\u9fff]")
PAGES = {
    400: ("请求有误", "提交的内容不完整或格式不对，请返回上一页检查后重试。"),
    401: ("需要登录", "登录已过期，请重新登录后再操作。"),
    403: ("没有权限", "你的账号没有打开此页面的权限；如需使用，请联系管理员调整角色。"),
    404: ("页面不存在", "找不到这个页面或这条记录，可能已被删除或地址有误。"),
    405: ("操作方式不对", "此地址不接受这种请求，请从页面上的按钮操作。"),
    500: ("系统出错", "服务器处理时出错，已记录日志。请稍后重试；如反复出现，请联系管理员。"),
    503: ("数据库忙", "数据库正忙（其他人或采集任务正在写入），你的操作没有生效，请几秒后重试。"),
}


def render_error(code: int, detail: str | None = None):
    """The error page (or JSON for fetch requests) for `code`."""
    title, message = PAGES.get(code, (f"错误 {code}", "请返回上一页重试。"))
    g.plain_page = True  # the layout skips its database look-ups (the database may be the problem)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"error": title, "message": message}), code
    return render_template(
        "error.html", code=code, title=title, message=message, detail=detail
    ), code


def http_error(error: HTTPException):
    """Werkzeug's HTTP errors as Chinese pages; a 400's own description is kept as detail."""
    if error.code not in PAGES:
        return error
    detail = error.description if error.code == 400 else None
    if detail and "CSRF" in detail and not CHINESE.search(detail):
        detail = "页面已过期（CSRF 令牌缺失或无效）：请刷新页面后再提交。"
    elif detail and not CHINESE.search(detail):
        detail = None  # Werkzeug's own English description: the Chinese message says it all
    return render_error(error.code, detail)


def number_too_large(error: OverflowError):
    """A number from the request beyond what SQLite stores (?before=1e20): the request's
    fault, a 400, wherever the number was read."""
    return render_error(400, "请求中的数字超出范围，请返回上一页检查后重试。")


def init_app(app) -> None:
    """Register the handlers."""
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, lambda error: render_error(500))
    app.register_error_handler(OverflowError, number_too_large)
