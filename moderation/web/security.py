"""Security headers on every response: a strict CSP (no inline script or style), no framing,
no MIME sniffing, same-origin referrers."""

from __future__ import annotations

from flask import abort, render_template, request

MAX_REQUEST_BYTES = 2 * 1024 * 1024  # the longest form (a column intro) is a few KB

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_headers(response):
    """Set the security headers (keeping any a view set itself)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def too_large(error):
    """413 with a message the editor can act on."""
    message = f"提交的内容太大（上限 {MAX_REQUEST_BYTES // 1024 // 1024} MB），请删减后重试。"
    return render_template("error.html", code=413, title="内容过大", message=message), 413


def check_query_string() -> None:
    """400 for a query string that is not UTF-8 (werkzeug would raise decoding it: a 500)."""
    try:
        request.query_string.decode()
    except UnicodeDecodeError:
        abort(400, "网址中有无法识别的字符（不是 UTF-8 编码），请检查链接。")


MAX_PENDING_FLASHES = 5
MAX_FLASH_CHARS = 200


def trim_flashes(response):
    """Keep the newest few unshown messages, each cut short: messages that echo a huge form
    value, or pile up (a script posting without following redirects), would grow the
    session cookie past what browsers keep, and the user would be logged out."""
    from flask import session

    pending = session.get("_flashes")
    if not pending:
        return response
    trimmed = [
        (category, message[:MAX_FLASH_CHARS])
        for category, message in pending[-MAX_PENDING_FLASHES:]
    ]
    if trimmed != pending:
        session["_flashes"] = trimmed
    return response


def init_app(app) -> None:
    """Install the query check, the headers hook and the request size limit (first, so the
    query check runs before the login check reads the query string)."""
    # Flask's defaults are no limit on the body and 500 kB per field.
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES)
    app.register_error_handler(413, too_large)
    app.before_request(check_query_string)
    app.after_request(add_headers)
    app.after_request(trim_flashes)
