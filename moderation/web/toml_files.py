"""TOML files in and out of the admin pages (alert rules, moderation rules)."""

from __future__ import annotations

from flask import Response, request


def toml_response(text: str, filename: str) -> Response:
    """A TOML download, UTF-8."""
    return Response(
        text.encode("utf-8"),
        content_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def uploaded_toml(max_bytes: int) -> str:
    """The form's uploaded `file` as text; ValueError in Chinese saying what to fix."""
    upload = request.files.get("file")
    raw = upload.read(max_bytes + 1) if upload else b""
    if not raw:
        raise ValueError("请选择要导入的 TOML 文件")
    if len(raw) > max_bytes:
        raise ValueError(f"文件超过 {max_bytes // 1024} KB")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("文件不是 UTF-8 编码，请另存为 UTF-8 后重试") from None
