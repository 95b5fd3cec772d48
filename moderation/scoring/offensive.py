"""Offensive-language score (0 = civil, 1 = offensive) of one text with a loaded model.

The model is logistic regression over TF-IDF weighted character 1-3-grams of the text as
the word lists see it (``textnorm``: full width, case and traditional characters folded,
separators dropped, so ``傻 逼`` and ``傻-逼`` read as ``傻逼``). The n-grams are hashed into
``2**bits`` buckets with numpy, so scoring needs no vocabulary dictionary and no
scikit-learn: one file of two float arrays, loaded in milliseconds. Training (with
scikit-learn) lives in ``offensive_models``; both use ``feature_ids`` below, so the scores
are the ones the trained model gives.

Pure: no database, no settings.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from moderation.scoring.textnorm import normalize

NONE, REVIEW, REJECT = "none", "review", "reject"
SHIPPED_DIR = Path(__file__).parent / "offensive_data"
SHIPPED_MODEL = SHIPPED_DIR / "cold-default.npz"
SHIPPED_VERSION = "cold-default"

# Odd 64-bit multipliers (golden ratio and two murmur finalisers): multiplicative hashing of
# code points; the top `bits` bits of the product pick the bucket.
_A = np.uint64(0x9E3779B97F4A7C15)
_B = np.uint64(0xC2B2AE3D27D4EB4F)
_C = np.uint64(0x165667B19E3779F9)
_ONE = np.uint64(1)


def prepare(text: str) -> str:
    """The text the model reads: the word lists' normalised form (cached: flags ask too)."""
    return normalize(text).text


def feature_ids(prepared: str, bits: int) -> np.ndarray:
    """Bucket of every character 1-, 2- and 3-gram of a prepared text (with repeats)."""
    codes = np.frombuffer(prepared.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = len(codes)
    hashed = np.empty(max(3 * size - 3, size), dtype=np.uint64)
    unigrams = np.multiply(codes, _A, out=hashed[:size])
    bigrams = hashed[size : 2 * size - 1]
    np.add(unigrams[:-1], codes[1:], out=bigrams)
    np.multiply(bigrams, _B, out=bigrams)
    trigrams = hashed[2 * size - 1 :]
    np.add(bigrams[:-1], codes[2:], out=trigrams)
    np.multiply(trigrams, _C, out=trigrams)
    return np.right_shift(hashed, np.uint64(64 - bits), out=hashed)


def bucket_counts(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Distinct buckets and how often each occurs; counts None when none repeats.

    np.unique gives the same answer several times slower (it is 13 µs of a 30 µs score).
    """
    ids.sort()
    starts = np.empty(len(ids), dtype=bool)
    starts[0] = True
    np.not_equal(ids[1:], ids[:-1], out=starts[1:])
    first = starts.nonzero()[0]
    if len(first) == len(ids):
        return ids, None
    ends = np.empty_like(first)
    ends[:-1] = first[1:]
    ends[-1] = len(ids)
    return ids[first], ends - first


@dataclass(frozen=True, eq=False)
class OffensiveModel:
    """Fitted weights: idf and coefficient per bucket, intercept, bucket bits, version."""

    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    bits: int
    version: str

    def score(self, text: str) -> float:
        """Probability that the text is offensive; 0.0 for text with no letters or digits."""
        prepared = prepare(text)
        if not prepared:
            return 0.0
        buckets, counts = bucket_counts(feature_ids(prepared, self.bits))
        weights = self.idf[buckets]
        if counts is not None:  # sublinear tf: 1 + log(count)
            weights *= 1.0 + np.log(counts)
        logit = self.intercept + float(weights @ self.coef[buckets]) / math.sqrt(weights @ weights)
        return 1.0 / (1.0 + math.exp(-logit))

    def save(self, path) -> None:
        """Write the model as a compressed .npz (float32 weights)."""
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
                intercept=np.float64(self.intercept),
                bits=np.int64(self.bits),
            )


def load(path, version: str) -> OffensiveModel:
    """Load a model written by ``OffensiveModel.save``."""
    with np.load(path) as data:
        bits = int(data["bits"])
        idf, coef = data["idf"].astype(np.float64), data["coef"].astype(np.float64)
        if idf.shape != (1 << bits,) or coef.shape != (1 << bits,):
            raise ValueError(f"{path}: weights do not match 2**{bits} buckets")
        return OffensiveModel(idf, coef, float(data["intercept"]), bits, version)


@functools.lru_cache(maxsize=4)
def load_cached(path: str, version: str) -> OffensiveModel:
    """The model at ``path``, loaded once per process (and per version)."""
    return load(path, version)


def level(score: float, review_above: float, reject_above: float) -> str:
    """none / review / reject, by the configured thresholds."""
    if score >= reject_above:
        return REJECT
    if score >= review_above:
        return REVIEW
    return NONE
