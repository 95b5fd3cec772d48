"""IP 属地: a reader's address mapped to a province-level region, offline.

The database is ip2region's xdb file (lionsoul2014/ip2region, Apache-2.0) as shipped inside
the `ip-region` package on PyPI (``ipregion/ip2region.xdb``). Only the file is used: the
package itself is never imported (its ``__init__`` appends its folder to ``sys.path`` and
its own search falls back to online services), the file is read here, in the xdb format
ip2region documents (a 256-byte header, a 256x256 vector index of 8-byte (start, end)
pointers into 14-byte segments ``start ip, end ip, data length, data pointer``; region
text ``国家|区域|省份|城市|ISP``).

Shown as platforms show it (IP属地：湖南): a Chinese province without its 省/市/自治区
suffix, 香港/澳门/台湾 by name, another country by its name; a private or unknown address
gives None.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import struct
from functools import lru_cache
from pathlib import Path

HEADER = 256
VECTOR_COLS = 256
VECTOR_ENTRY = 8
SEGMENT = 14
SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")
MAX_ADDRESS = 64


class RegionDatabaseMissing(RuntimeError):
    """The `ip-region` package (which ships the xdb file) is not installed."""


def database_path() -> Path:
    """Where the shipped xdb file is, found without importing its package."""
    spec = importlib.util.find_spec("ipregion")
    if spec is None or not spec.submodule_search_locations:
        raise RegionDatabaseMissing("pip install ip-region (it ships ip2region.xdb)")
    return Path(next(iter(spec.submodule_search_locations))) / "ip2region.xdb"


@lru_cache(maxsize=1)
def _content() -> bytes:
    """The whole file (11 MB), read once per process."""
    return database_path().read_bytes()


def lookup(address: str) -> str | None:
    """ip2region's raw region text for an IPv4 address (None for other input)."""
    try:
        number = int(ipaddress.IPv4Address(address.strip()[:MAX_ADDRESS]))
    except (ipaddress.AddressValueError, ValueError, AttributeError):
        return None
    data = _content()
    vector = HEADER + ((number >> 24) * VECTOR_COLS + ((number >> 16) & 0xFF)) * VECTOR_ENTRY
    start, end = struct.unpack_from("<II", data, vector)
    low, high = 0, (end - start) // SEGMENT
    while low <= high:
        middle = (low + high) // 2
        first, last, length, pointer = struct.unpack_from("<IIHI", data, start + middle * SEGMENT)
        if number < first:
            high = middle - 1
        elif number > last:
            low = middle + 1
        else:
            return data[pointer : pointer + length].decode("utf-8")
    return None


def province(raw: str | None) -> str | None:
    """The province-level region of ip2region's text: 湖南, 上海, 香港, 美国; None if unknown."""
    if not raw:
        return None
    parts = (raw.split("|") + ["0"] * 5)[:5]
    country, state = parts[0], parts[2]
    if country == "中国" and state not in ("", "0"):
        for suffix in SUFFIXES:
            if state.endswith(suffix) and len(state) > len(suffix):
                return state[: -len(suffix)]
        return state
    if country in ("", "0", "中国"):
        return None
    return country


def region_of(address: str | None) -> str | None:
    """An address's province-level region, or None (private, reserved, IPv6, not an IP)."""
    if not address:
        return None
    try:
        parsed = ipaddress.ip_address(address.strip()[:MAX_ADDRESS])
    except ValueError:
        return None
    if not parsed.is_global:
        return None
    return province(lookup(str(parsed)))
