"""Text that leaves the desk in a robot message, an e-mail or a report: masked, one line,
and inert.

Reader text and story titles are masked by the same masker the column uses (phones, ID
numbers, e-mail, bank cards, WeChat/QQ ids), folded onto one line (a CR or LF in a title
would split an e-mail header or start a new Markdown block) and stripped of what the robots'
Markdown acts on: brackets, parentheses, emphasis, headings, code and quotes become their
full-width look-alikes, and ``://`` is broken so no platform turns a reader's address into a
link. Only the message builders add Markdown of their own (the links to the desk and the
article).
"""

from __future__ import annotations

import re

from moderation.scoring.personal_data import mask_personal_data

# half-width characters the robots' Markdown reads, and their full-width twins
_INERT = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "_": "＿",
        "#": "＃",
        "`": "｀",
        "<": "＜",
        ">": "＞",
        "~": "～",
        "|": "｜",
        "!": "！",
        "\\": "＼",
    }
)
_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t]{2,}")


def one_line(text: str | None) -> str:
    """`text` on one line: line breaks become a space, control characters go."""
    flat = _BREAKS.sub(" ", text or "")
    return _SPACES.sub(" ", _CONTROLS.sub("", flat)).strip()


# a run of * right after a letter or digit is a mask (137****4321, a***@qq.com): kept
_LOOSE_STARS = re.compile(r"(?<![0-9A-Za-z*])\*+")


def inert(text: str | None) -> str:
    """One line with Markdown's characters made full-width and ``://`` broken (a mask's
    stars stay as they are)."""
    flat = one_line(text).translate(_INERT).replace("://", "：//")
    return _LOOSE_STARS.sub(lambda run: "＊" * len(run.group(0)), flat)


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut with an ellipsis."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def reader_text(text: str | None, limit: int = 80) -> str:
    """A reader's comment (or a title) as an alert stores it: one line, masked, at most
    `limit` characters, its punctuation as written (/alerts shows it so). What leaves the
    desk goes through ``targets.Message``, which makes it inert on the way out."""
    return shorten(mask_personal_data(one_line(text)), limit)


_URL_UNSAFE = re.compile(r"[\s()\[\]<>\"'`\\|^{}]")


def safe_url(url: str | None) -> str | None:
    """An http(s) address fit to put inside a Markdown link, or None: characters that could
    close the link or start a new line are percent-encoded."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group(0)):02X}", url)


# (pattern in an English error, what it means in Chinese), the first match wins
_ERROR_MEANINGS = (
    (re.compile(r"TooManyRedirects|redirect", re.I), "重定向过多或被重定向"),
    (re.compile(r"timed? ?out|Timeout", re.I), "连接超时"),
    (re.compile(r"rate limit|HTTP 429|45009|130101|11232|too fast", re.I), "请求过于频繁"),
    (re.compile(r"recipients refused", re.I), "收件人被拒收"),
    (
        re.compile(r"AuthFailed|HTTP 40[13]|token|signature|\bsign\b|login|invalid webhook", re.I),
        "认证失败（密钥、令牌或签名不对）",
    ),  # fmt: skip
    (re.compile(r"HTTP 5\d\d|5\d\d Server|ServerError", re.I), "对方服务器出错"),
    (
        re.compile(r"connection|refused|unreachable|Name or service|resolve", re.I),
        "无法连接",
    ),  # fmt: skip
    (re.compile(r"BadPayload|unexpected|not JSON|JSONDecode|shape", re.I), "返回内容格式不对"),
    (re.compile(r"HTTP 4\d\d", re.I), "请求被拒绝"),
    (re.compile(r"environment variable|secret_env|key_env", re.I), "缺少密钥环境变量"),
    (re.compile(r"SMTP", re.I), "邮件服务器出错"),
)


def error_summary(error: str | None, detail: int = 80) -> str:
    """A channel's or a target's English error as a Chinese summary, the original after it
    (shortened): `无法连接（zznews: GET /api failed after 3 attempt(s) …）`."""
    if not error:
        return ""
    if re.search(r"[\u4e00-\u9fff]", error) and not re.search(r"[A-Za-z]{6,}", error):
        return one_line(error)  # already Chinese
    meaning = next((text for pattern, text in _ERROR_MEANINGS if pattern.search(error)), "出错")
    return f"{meaning}（{shorten(one_line(error), detail)}）" if detail else meaning
