"""Exact, fast re-implementation of snownlp's word segmenter (seg.seg).

snownlp tags each run of CJK characters with a character-based trigram model
(``snownlp/seg/y09_2047.py``): states are (previous tag, current tag) over the
tags b/m/e/s, the transition score is ``log(l1*P(c,t0) + l2*P(c,t0|b,t1) +
l3*P(c,t0|a,t2,b,t1))`` and a Viterbi keeps, per state, the first best
predecessor. This module precomputes every log-probability that can differ from
the unigram one (bigram and trigram entries of the model) with exactly snownlp's
arithmetic and runs a tight Viterbi over 16 integer-coded states:

* the maximum over predecessors is computed as ``max(V) + base`` (rounding is
  monotone, so this equals the maximum of the rounded sums) corrected by the few
  trigram entries, which are the only ones that make the predecessor matter;
* the path is recovered by backtracking: the predecessor snownlp keeps is the
  first one whose rounded sum equals the state's value, so ties break the same;
* an unknown character copies, like snownlp, the score of the last predecessor.

The tables are stored in a compact cache file (marshal + packed arrays) keyed by
the SHA-256 of the model file, so loading takes a fraction of a second and does
not import snownlp.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
import threading
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable
from math import log
from pathlib import Path

RE_ZH = re.compile("([\u4e00-\u9fa5]+)")
TAGS = ("b", "m", "e", "s")
_FORMAT = "fastseg-1"
_NEG_INF = float("-inf")
_BOS = ("", "BOS")
_FINAL_ORDER = tuple(t1 * 4 + t0 for t0 in range(4) for t1 in range(4))
# fields of a character record in the tables
_ID, _UL, _P0, _BLO, _BHI, _TLO, _THI = range(7)


CACHE_DIR_ENV = "MODERATION_CACHE_DIR"
_TABLES_KEPT = 4  # models whose tables a process keeps loaded (a retrained one, the base...)
_tables: dict[tuple[str, str], dict] = {}  # (format, model digest) -> tables, newest last
_tables_lock = threading.Lock()
_digests: dict[tuple, str] = {}  # (path, inode, size, mtime) -> sha256 of the contents

logger = logging.getLogger(__name__)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hash a model file's contents, so caches follow the model rather than its mtime.

    Remembered per (path, inode, size, mtime): a replaced or rewritten file is hashed again.
    """
    stat = os.stat(path)
    key = (os.fspath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        with open(path, "rb") as f:
            _digests[key] = hashlib.file_digest(f, "sha256").hexdigest()
    return _digests[key]


def default_cache_dir() -> str:
    """Fallback cache folder when the caller passes none: $MODERATION_CACHE_DIR, else one per
    user under the temp dir."""
    if os.environ.get(CACHE_DIR_ENV):
        return os.environ[CACHE_DIR_ENV]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return os.path.join(tempfile.gettempdir(), f"moderation-fast-sentiment-{uid}")


def cache_dir_for(data_path: str | os.PathLike[str]) -> str:
    """The table cache of a data folder: its cache/, unless $MODERATION_CACHE_DIR names one
    folder for every data folder (a test session's, a machine's)."""
    return os.environ.get(CACHE_DIR_ENV) or os.path.join(data_path, "cache")


def cached_tables(path: str, fmt: str, digest: str, build: Callable[[], dict]) -> dict:
    """A model's tables: from this process's memory, else the cache file at `path`, else
    `build()` (then written to `path`). One process never builds the same tables twice,
    whatever cache folder it is given; the file is (re)written when `path` lacks it."""
    key = (fmt, digest)
    with _tables_lock:  # two threads loading the same model wait for one build
        tables = _tables.pop(key, None)
        if tables is None:
            tables = read_cache(path, fmt)
        if tables is None:
            # The first start is otherwise silent for 10-30 s: say what it is doing.
            logger.info("preparing the Chinese segmenter tables (first start only): %s", path)
            tables = build()
            logger.info("segmenter tables ready")
        if not os.path.exists(path):
            write_atomic(path, marshal.dumps(tables))
        tables["sha256"] = digest
        _tables[key] = tables
        while len(_tables) > _TABLES_KEPT:
            del _tables[next(iter(_tables))]
    return tables


def read_snownlp_marshal(path: str | os.PathLike[str]) -> dict:
    """Read a model file the way snownlp's load(iszip=True) does: gzip, else raw marshal."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        raw = gzip.decompress(raw)
    except OSError:
        pass
    return marshal.loads(raw)


def write_atomic(path: str, data: bytes) -> None:
    """Write a cache file atomically, so a concurrent reader never sees half a file."""
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_cache(path: str, fmt: str) -> dict | None:
    """Return a cache file's payload, or None when missing, corrupt or of another format."""
    try:
        with open(path, "rb") as f:
            payload = marshal.loads(f.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        return None
    return payload


def _is_cjk(ch: str) -> bool:
    return len(ch) == 1 and "\u4e00" <= ch <= "\u9fa5"


def _log_sum(uni: float, bi: float, tri: float) -> float:
    """The tail of snownlp's log_prob: -inf for a zero sum, else log(uni + bi + tri)."""
    if uni + bi + tri == 0:
        return _NEG_INF
    return log(uni + bi + tri)


def _div(v1: float, v2: float) -> float:
    """snownlp's div: 0 for a zero denominator, else float(v1) / v2."""
    if v2 == 0:
        return 0
    return float(v1) / v2


def build_seg_tables(model: dict) -> dict:
    """Precompute the segmenter tables from a raw snownlp seg model (slow, done once).

    The model's dicts are consumed (popped) as they are read, to bound peak memory.
    Every value is snownlp's ``log_prob`` with the same operations in the same order:
    ``l1*(float(c3)/total)``, ``div(l2*c23, c2)``, ``div(l3*c123, c12)``, summed left to right.
    """
    if tuple(model["status"]) != TAGS:
        raise ValueError(f"unsupported tag set {model['status']!r}")
    if model["uni"]["none"] or model["bi"]["none"] or model["tri"]["none"]:
        raise ValueError("unsupported model: non-zero default counts")
    l1, l2, l3 = model["l1"], model["l2"], model["l3"]
    uni, bi, tri = model["uni"]["d"], model["bi"]["d"], model["tri"]["d"]
    u_total = model["uni"]["total"]
    tag_index = {t: i for i, t in enumerate(TAGS)}
    # "found" characters: snownlp's uni.freq((w, s)) != 0 for some tag s
    found = sorted({w for (w, _t), n in uni.items() if n != 0 and _is_cjk(w)})
    cid = {c: i for i, c in enumerate(found)}
    radix = len(found) + 1  # id len(found) is "unknown", never part of a key
    uterm = {s: l1 * (float(n) / u_total) for s, n in uni.items()}

    def uni_term(s3: tuple) -> float:
        return uterm.get(s3, l1 * (float(0) / u_total))

    def bi_term(s2: tuple, s3: tuple) -> float:
        return _div(l2 * bi.get((s2, s3), 0), uni.get(s2, 0))

    # (char, tag) -> (char id, tag index), for every usable pair
    usable = {(c, t): (i, ti) for c, i in cid.items() for t, ti in tag_index.items()}

    tk, tv = array("q"), array("d")
    lt1: dict[str, list] = {}
    bos_tri: dict[tuple, int] = {}  # counts of (BOS, BOS, (c, t)): first character
    while tri:
        (s1, s2, s3), n = tri.popitem()
        if s2 == _BOS:
            if s1 == _BOS:
                bos_tri[s3] = n
            continue
        p1, p2, p3 = usable.get(s1), usable.get(s2), usable.get(s3)
        if p2 is None or p3 is None or (p1 is None and s1 != _BOS):
            continue
        code = p2[1] * 4 + p3[1]
        u, bt = uni_term(s3), bi_term(s2, s3)
        lp = _log_sum(u, bt, _div(l3 * n, bi.get((s1, s2), 0)))
        if lp < _log_sum(u, bt, 0):
            # the Viterbi takes max(V) + base, which needs trigram entries >= their base
            raise ValueError("log is not monotone here; the fast Viterbi would not be exact")
        if p1 is None:  # BOS: second character of a clause
            lt1.setdefault(s2[0] + s3[0], []).extend((code, lp))
        else:
            key3 = (p3[0] * radix + p2[0]) * radix + p1[0]
            tk.append(key3 << 6 | p1[1] * 16 + code)
            tv.append(lp)
    tk, tv = _sorted_arrays(tk, tv)
    bk, bv = array("q"), array("d")
    for s2, s3 in list(bi):
        p2, p3 = usable.get(s2), usable.get(s3)
        if p2 is not None and p3 is not None:
            bk.append((p3[0] * radix + p2[0]) << 4 | p2[1] * 4 + p3[1])
            # no trigram term: div(l3*0, ...) adds an exact zero
            bv.append(_log_sum(uni_term(s3), bi_term(s2, s3), 0))
    bk, bv = _sorted_arrays(bk, bv)
    bos_bi = bi.get((_BOS, _BOS), 0)
    chars = {}
    for c, i in cid.items():
        ul = tuple(_log_sum(uni_term((c, t)), 0, 0) for t in TAGS)
        p0 = tuple(
            _log_sum(
                uni_term((c, t)),
                bi_term(_BOS, (c, t)),
                _div(l3 * bos_tri.get((c, t), 0), bos_bi),
            )
            for t in TAGS
        )
        chars[c] = (i, ul, p0)
    return _pack(chars, radix, lt1, bk, bv, tk, tv)


def _sorted_arrays(keys: array, vals: array) -> tuple[array, array]:
    """Sort parallel key/value arrays by key."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return array("q", [keys[i] for i in order]), array("d", [vals[i] for i in order])


def _pack(chars: dict, radix: int, lt1: dict, bk: array, bv: array, tk: array, tv: array) -> dict:
    """Assemble the cache payload: per-character records with their key ranges, packed arrays."""
    records = {}
    for c, (i, ul, p0) in chars.items():
        blo = bisect_left(bk, (i * radix) << 4)
        bhi = bisect_left(bk, ((i + 1) * radix) << 4)
        tlo = bisect_left(tk, (i * radix * radix) << 6)
        thi = bisect_left(tk, ((i + 1) * radix * radix) << 6)
        records[c] = (i, ul, p0, blo, bhi, tlo, thi)
    return {
        "format": _FORMAT,
        "byteorder": sys.byteorder,
        "radix": radix,
        "chars": records,
        "lt1": {k: tuple(v) for k, v in lt1.items()},
        "bk": bk.tobytes(),
        "bv": bv.tobytes(),
        "tk": tk.tobytes(),
        "tv": tv.tobytes(),
    }


def load_seg_tables(model_path: str | os.PathLike[str], cache_dir: str | None = None) -> dict:
    """Load the segmenter tables from memory or the cache, building them when stale."""
    digest = file_sha256(model_path)
    folder = cache_dir or default_cache_dir()
    path = os.path.join(folder, f"seg-{digest[:32]}-{sys.byteorder}.{_FORMAT}.marshal")
    return cached_tables(
        path, _FORMAT, digest, lambda: build_seg_tables(read_snownlp_marshal(model_path))
    )


class FastSegmenter:
    """snownlp.seg.seg with identical output, using precomputed tables."""

    def __init__(self, tables: dict, cache_size: int = 20000) -> None:
        self._chars = tables["chars"]
        self._radix = tables["radix"]
        self._lt1 = tables["lt1"]
        self._bk = array("q")
        self._bk.frombytes(tables["bk"])
        self._bv = array("d")
        self._bv.frombytes(tables["bv"])
        self._tk = array("q")
        self._tk.frombytes(tables["tk"])
        self._tv = array("d")
        self._tv.frombytes(tables["tv"])
        self.sha256: str = tables.get("sha256", "")
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cache_size = cache_size
        # memo of n-gram look-ups: bigram/trigram key -> entries (bounded, cleared when full)
        self._bmemo: dict[int, tuple] = {}
        self._tmemo: dict[int, tuple] = {}
        self._memo_size = 4 * cache_size

    def seg(self, sent: str) -> list[str]:
        """Segment a text exactly like snownlp.seg.seg (clauses of CJK, others by whitespace)."""
        words: list[str] = []
        for s in RE_ZH.split(sent):
            s = s.strip()
            if not s:
                continue
            if RE_ZH.match(s):
                words += self.single_seg(s)
            else:
                for word in s.split():
                    word = word.strip()
                    if word:
                        words.append(word)
        return words

    def single_seg(self, clause: str) -> tuple[str, ...]:
        """Segment one run of CJK characters, with a bounded LRU cache of clauses."""
        cache = self._cache
        words = cache.pop(clause, None)
        if words is None:
            words = tuple(_words(clause, self.tag(clause)))
            if len(cache) >= self._cache_size:
                try:  # evict the least recently used clause
                    del cache[next(iter(cache))]
                except (StopIteration, KeyError, RuntimeError):  # empty, or raced by a thread
                    return words
        cache[clause] = words
        return words

    def tag(self, clause: str) -> list[int]:
        """Viterbi tags (0..3 = b, m, e, s) of a non-empty CJK clause, as snownlp picks them."""
        recs = list(map(self._chars.get, clause))
        r = recs[0]
        v = list(r[_P0]) if r is not None else [0.0, 0.0, 0.0, 0.0]
        if len(recs) == 1:
            return [v.index(max(v))]
        vs, lbs, lts = self._forward(recs, self._step1(clause, recs, v))
        return self._backtrack(recs, vs, lbs, lts)

    def _step1(self, clause: str, recs: list, v0: list[float]) -> list[float]:
        """Second character: the only predecessor of (t1, t0) is the first character's t1."""
        r = recs[1]
        a, b, c, d = v0
        if r is None:
            return [a, a, a, a, b, b, b, b, c, c, c, c, d, d, d, d]
        lp = self._lp1(clause, recs)
        return [v0[k >> 2] + lp[k] for k in range(16)]

    def _lp1(self, clause: str, recs: list) -> list[float]:
        """The 16 log-probabilities of the second character (grand-predecessor is BOS)."""
        u0, u1, u2, u3 = recs[1][_UL]
        lp = [u0, u1, u2, u3, u0, u1, u2, u3, u0, u1, u2, u3, u0, u1, u2, u3]
        if recs[0] is not None:
            for code, val in self._bigram(recs[0], recs[1]):
                lp[code] = val
        entries = self._lt1.get(clause[:2])
        if entries:
            for j in range(0, len(entries), 2):
                lp[entries[j]] = entries[j + 1]
        return lp

    def _bigram(self, rb: tuple, rc: tuple) -> tuple[tuple[int, float], ...]:
        """Bigram entries (code t1*4+t0, log-prob) of the character pair (b, c)."""
        key = (rc[_ID] * self._radix + rb[_ID]) << 4
        bk = self._bk
        hi = rc[_BHI]
        i = bisect_left(bk, key, rc[_BLO], hi)
        out = []
        end = key + 16
        while i < hi:
            x = bk[i]
            if x >= end:
                break
            out.append((x & 15, self._bv[i]))
            i += 1
        return tuple(out)

    def _trigram(self, ra: tuple, rb: tuple, rc: tuple) -> tuple[tuple[int, float], ...]:
        """Trigram entries (code t2*16+t1*4+t0, log-prob) of the characters (a, b, c)."""
        radix = self._radix
        key = ((rc[_ID] * radix + rb[_ID]) * radix + ra[_ID]) << 6
        tk = self._tk
        hi = rc[_THI]
        i = bisect_left(tk, key, rc[_TLO], hi)
        out = []
        end = key + 64
        while i < hi:
            x = tk[i]
            if x >= end:
                break
            out.append((x & 63, self._tv[i]))
            i += 1
        return tuple(out)

    def _forward(self, recs: list, v: list[float]) -> tuple[list, list, list]:
        """Viterbi values from the third character on (paths come from backtracking).

        For a state (t1, t0) the best score is max over t2 of V(t2, t1) + lp(t2, t1, t0).
        lp is the same for every t2 except where the model has a trigram entry, and an
        entry only raises it, so the maximum is max(V(., t1)) + base corrected by the
        trigram entries. Unknown characters copy V(s, t1) like snownlp does.
        """
        radix = self._radix
        bmemo, tmemo = self._bmemo, self._tmemo
        if len(bmemo) > self._memo_size or len(tmemo) > self._memo_size:
            bmemo.clear()
            tmemo.clear()
        vs: list = [None, v]
        lbs: list = [None, None]
        lts: list = [None, None]
        ra, rb = recs[0], recs[1]
        for r in recs[2:]:
            lb = lt = None
            if r is None:
                a, b, c, d = v[12], v[13], v[14], v[15]
                v = [a, a, a, a, b, b, b, b, c, c, c, c, d, d, d, d]
            else:
                v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15 = v
                # maxima of V(., t1); equal floats are the same value, so ties don't matter
                x = v0 if v0 > v4 else v4
                y = v8 if v8 > v12 else v12
                m0 = x if x > y else y
                x = v1 if v1 > v5 else v5
                y = v9 if v9 > v13 else v13
                m1 = x if x > y else y
                x = v2 if v2 > v6 else v6
                y = v10 if v10 > v14 else v14
                m2 = x if x > y else y
                x = v3 if v3 > v7 else v7
                y = v11 if v11 > v15 else v15
                m3 = x if x > y else y
                u0, u1, u2, u3 = r[_UL]
                new = [
                    m0 + u0, m0 + u1, m0 + u2, m0 + u3,
                    m1 + u0, m1 + u1, m1 + u2, m1 + u3,
                    m2 + u0, m2 + u1, m2 + u2, m2 + u3,
                    m3 + u0, m3 + u1, m3 + u2, m3 + u3,
                ]  # fmt: skip
                if rb is not None:
                    kb = r[_ID] * radix + rb[_ID]
                    lb = bmemo.get(kb)
                    if lb is None:
                        lb = bmemo[kb] = self._bigram(rb, r)
                    if lb:
                        m = (m0, m1, m2, m3)
                        for code, y in lb:
                            new[code] = m[code >> 2] + y
                    if ra is not None:
                        kt = kb * radix + ra[_ID]
                        lt = tmemo.get(kt)
                        if lt is None:
                            lt = tmemo[kt] = self._trigram(ra, rb, r)
                        for code, y in lt:
                            y += v[code >> 2]
                            k = code & 15
                            if y > new[k]:
                                new[k] = y
                v = new
            vs.append(v)
            lbs.append(lb)
            lts.append(lt)
            ra, rb = rb, r
        return vs, lbs, lts

    def _backtrack(self, recs: list, vs: list, lbs: list, lts: list) -> list[int]:
        """Recover snownlp's path: per state, the first predecessor reaching its value."""
        last = vs[-1]
        best = 0
        for k in _FINAL_ORDER:  # snownlp's max() scans states t0-major: first maximum wins
            if last[k] > last[best]:
                best = k
        t1, t0 = best >> 2, best & 3
        tags = [t0]
        for i in range(len(vs) - 1, 1, -1):
            tags.append(t1)
            r = recs[i]
            if r is None:
                t2 = 3  # unknown character: snownlp kept the last predecessor, (s, t1)
            else:
                k = t1 * 4 + t0
                base = r[_UL][t0]
                for code, val in lbs[i] or ():
                    if code == k:
                        base = val
                target = vs[i][k]
                vp = vs[i - 1]
                lt = lts[i] or ()
                for t2 in range(4):
                    lp = base
                    for code, val in lt:
                        if code == t2 * 16 + k:
                            lp = val
                    if vp[t2 * 4 + t1] + lp == target:
                        break
                else:  # pragma: no cover - would mean the forward pass is wrong
                    raise AssertionError("no predecessor reaches the Viterbi value")
            t1, t0 = t2, t1
        tags.append(t1)
        tags.reverse()
        return tags


def _words(clause: str, tags: Iterable[int]) -> list[str]:
    """Turn b/m/e/s tags into words exactly like snownlp's Seg.seg."""
    out = []
    tmp = ""
    for ch, t in zip(clause, tags, strict=True):
        if t == 2:
            out.append(tmp + ch)
            tmp = ""
        elif t == 0 or t == 3:
            if tmp:
                out.append(tmp)
            tmp = ch
        else:
            tmp += ch
    if tmp:
        out.append(tmp)
    return out


def snownlp_dir() -> Path:
    """snownlp's installed folder, found without importing it (the import costs ~2.5 s)."""
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def default_seg_model_path() -> str:
    """snownlp's bundled segmenter model as Python 3 reads it (seg.marshal + '.3')."""
    return str(snownlp_dir() / "seg" / "seg.marshal.3")


def load_segmenter(model_path: str | None = None, cache_dir: str | None = None) -> FastSegmenter:
    """Ready-to-use segmenter for a seg model file (default: snownlp's own)."""
    return FastSegmenter(load_seg_tables(model_path or default_seg_model_path(), cache_dir))
