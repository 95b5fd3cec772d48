"""Request signatures, each exactly as its provider documents it (pure functions).

- Alibaba Cloud RPC (signature v1): HMAC-SHA1 over ``METHOD&%2F&`` + the percent-encoded
  canonicalized query, keyed with ``AccessKeySecret + "&"``, Base64.
- Tencent Cloud API 3.0 (TC3-HMAC-SHA256): canonical request -> string to sign ->
  key derived from ``"TC3" + SecretKey`` over date, service and ``tc3_request``.
- NetEase Yidun: MD5 (hex) over the parameter names and values concatenated in name
  order, then the secret key.
- The desk's webhook: HMAC-SHA256 (hex) over ``timestamp + "." + body``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote

TC3 = "TC3-HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Alibaba Cloud asks: A-Z a-z 0-9 - _ . ~ kept, space as %20."""
    return quote(str(value), safe="-_.~")


def aliyun_canonical_query(params: dict) -> str:
    """The parameters sorted by name, each name=value percent-encoded, joined by &."""
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params)
    )


def aliyun_string_to_sign(method: str, params: dict) -> str:
    """``POST&%2F&`` + the percent-encoded canonicalized query (Signature excluded)."""
    query = aliyun_canonical_query({k: v for k, v in params.items() if k != "Signature"})
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(query)}"


def aliyun_signature(method: str, params: dict, access_key_secret: str) -> str:
    """Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))."""
    digest = hmac.new(
        f"{access_key_secret}&".encode(),
        aliyun_string_to_sign(method, params).encode("utf-8"),
        hashlib.sha1,
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def tc3_canonical_request(headers: dict[str, str], payload: bytes) -> tuple[str, str]:
    """(CanonicalRequest, SignedHeaders) of a POST to / with the given signed headers."""
    names = sorted(name.lower() for name in headers)
    lowered = {name.lower(): value for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered[name].strip().lower()}\n" for name in names)
    signed = ";".join(names)
    request = f"POST\n/\n\n{canonical_headers}\n{signed}\n{_sha256_hex(payload)}"
    return request, signed


def tc3_authorization(
    secret_id: str,
    secret_key: str,
    service: str,
    timestamp: int,
    headers: dict[str, str],
    payload: bytes,
) -> dict[str, str]:
    """The steps of TC3-HMAC-SHA256 and the Authorization header they end in."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical, signed = tc3_canonical_request(headers, payload)
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = f"{TC3}\n{timestamp}\n{scope}\n{_sha256_hex(canonical.encode('utf-8'))}"
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return {
        "canonical_request": canonical,
        "string_to_sign": string_to_sign,
        "signature": signature,
        "authorization": (
            f"{TC3} Credential={secret_id}/{scope}, SignedHeaders={signed}, Signature={signature}"
        ),
    }


def yidun_signature(params: dict, secret_key: str) -> str:
    """MD5 hex of name1value1name2value2… (names sorted, ``signature`` left out) + key."""
    buffer = "".join(f"{name}{params[name]}" for name in sorted(params) if name != "signature")
    return hashlib.md5((buffer + secret_key).encode("utf-8")).hexdigest()


def webhook_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256(secret, timestamp + "." + body)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
