"""Logistic regression over hashed character n-grams: the model family of the trained scorers.

A text is read as the word lists read it (``textnorm``: full width, case and traditional
characters folded; ``reading="letters"`` also drops separators, so ``傻 逼`` and ``傻-逼`` read
as ``傻逼``; ``reading="marks"`` keeps punctuation and emoji, which carry sentiment). Its
character 1-, 2- and 3-grams are hashed into ``2**bits`` buckets with numpy, weighted by
sublinear TF-IDF and L2-normalised, then scored by one weight per bucket. Scoring needs no
vocabulary dictionary and no scikit-learn: one file of two float arrays, loaded in
milliseconds, about 30 µs a comment. Training (``fit``, scikit-learn, imported lazily) uses
the same ``feature_ids``, so the scores are the ones the fitted model gives.

The offensive model and the trained sentiment model are both of this family. Pure: no
database, no settings.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from moderation.scoring.textnorm import normalize

FAMILY = "hashed-lr"
LETTERS, MARKS = "letters", "marks"

# Odd 64-bit multipliers (golden ratio and two murmur finalisers): multiplicative hashing of
# code points; the top `bits` bits of the product pick the bucket.
_A = np.uint64(0x9E3779B97F4A7C15)
_B = np.uint64(0xC2B2AE3D27D4EB4F)
_C = np.uint64(0x165667B19E3779F9)


def prepare(text: str, reading: str = LETTERS) -> str:
    """The text the model reads: folded as the word lists fold it."""
    if reading == MARKS:
        return " ".join(normalize(text, keep_separators=True).text.split())
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
class HashedModel:
    """Fitted weights: idf and coefficient per bucket, intercept, bucket bits, version."""

    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    bits: int
    version: str
    reading: str = LETTERS

    family = FAMILY
    suffix = ".npz"

    def score(self, text: str) -> float:
        """Probability of label 1 for a text.

        Text with nothing to read scores 0.0 in a ``letters`` model (punctuation alone
        offends nobody) and 0.5, no evidence either way, in a ``marks`` model.
        """
        prepared = prepare(text, self.reading)
        if not prepared:
            return 0.0 if self.reading == LETTERS else 0.5
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
                reading=np.array(self.reading),
            )

    def digest(self, path) -> str:
        """SHA-256 of the weights in a saved file (a zip's own bytes may change)."""
        model = load(path, "digest")
        digest = hashlib.sha256(model.reading.encode())
        for part in (model.idf, model.coef, np.float64(model.intercept), np.int64(model.bits)):
            digest.update(np.ascontiguousarray(part).tobytes())
        return digest.hexdigest()


def load(path, version: str) -> HashedModel:
    """Load a model written by ``HashedModel.save``."""
    with np.load(path) as data:
        bits = int(data["bits"])
        idf, coef = data["idf"].astype(np.float64), data["coef"].astype(np.float64)
        if idf.shape != (1 << bits,) or coef.shape != (1 << bits,):
            raise ValueError(f"{path}: weights do not match 2**{bits} buckets")
        reading = str(data["reading"]) if "reading" in data.files else LETTERS
        return HashedModel(idf, coef, float(data["intercept"]), bits, version, reading)


@functools.lru_cache(maxsize=8)
def load_cached(path: str, version: str) -> HashedModel:
    """The model at ``path``, loaded once per process (and per version)."""
    return load(path, version)


def count_matrix(texts: Sequence[str], bits: int, reading: str = LETTERS):
    """Sparse n-gram bucket counts of texts, one row each: what TF-IDF is fitted on."""
    import scipy.sparse

    row_ids, columns = [], []
    for index, text in enumerate(texts):
        prepared = prepare(text, reading)
        ids = feature_ids(prepared, bits).astype(np.int64) if prepared else np.zeros(0, np.int64)
        row_ids.append(np.full(len(ids), index))
        columns.append(ids)
    counts = scipy.sparse.csr_matrix(
        (np.ones(sum(map(len, columns))), (np.concatenate(row_ids), np.concatenate(columns))),
        shape=(len(texts), 1 << bits),
    )
    counts.sum_duplicates()
    return counts


def fit(
    rows: Sequence[tuple[int, str]],
    weights: Sequence[float] | None = None,
    *,
    bits: int,
    regularisation: float,
    reading: str = LETTERS,
    version: str = "unsaved",
) -> HashedModel:
    """Fit TF-IDF + logistic regression on (label, text) rows with the scorer's features."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    labels = np.array([label for label, _ in rows])
    counts = count_matrix([text for _, text in rows], bits, reading)
    tfidf = TfidfTransformer(sublinear_tf=True)
    features = tfidf.fit_transform(counts)
    regression = LogisticRegression(C=regularisation, max_iter=3000).fit(
        features, labels, sample_weight=None if weights is None else np.asarray(weights, float)
    )
    return HashedModel(
        idf=tfidf.idf_.astype(np.float64),
        coef=regression.coef_[0].astype(np.float64),
        intercept=float(regression.intercept_[0]),
        bits=bits,
        version=version,
        reading=reading,
    )
