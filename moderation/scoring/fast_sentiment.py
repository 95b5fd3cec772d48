"""Fast exact sentiment scorer: the same probability as ``SnowNLP(text).sentiments``.

snownlp's sentiment is ``Sentiment.classify(text)``: segment with ``seg.seg``, drop
the stop words of ``normal/stopwords.txt`` (no other normalisation: no zh2hans),
then a naive Bayes (``classification/bayes.py``) that sums, per class and in word
order, ``log(count(word) / total)`` onto ``log(class total) - log(total)`` and
normalises with ``1 / sum(exp(other - this))``. Here the per-word logs are
precomputed, the sums are done in the same order, and segmentation uses the
exact fast segmenter of :mod:`moderation.scoring.fast_segment`.

Nothing imports snownlp: its model files are read directly and turned into
compact cache files keyed by their SHA-256, so a warm :func:`load` is quick.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from math import exp, log

from moderation.scoring.fast_segment import (
    FastSegmenter,
    cached_tables,
    default_cache_dir,
    file_sha256,
    load_seg_tables,
    read_snownlp_marshal,
    snownlp_dir,
)

_FORMAT = "fastsent-1"


def _snownlp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("snownlp")
    except PackageNotFoundError:  # pragma: no cover - snownlp is a dependency
        return "unknown"


def resolve_sentiment_model(path: str | None) -> str:
    """The file snownlp's Sentiment().load(path) reads: path + '.3' (default: bundled model)."""
    if path is None:
        return str(snownlp_dir() / "sentiment" / "sentiment.marshal.3")
    if os.path.exists(path + ".3"):
        return path + ".3"
    if os.path.exists(path):  # lenient: the caller named the saved file itself
        return path
    raise FileNotFoundError(f"no sentiment model at {path}.3 (nor {path})")


def read_stop_words(path: str) -> frozenset[str]:
    """snownlp.normal's stop-word set: every line of stopwords.txt, stripped."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    return frozenset(line.strip() for line in text.splitlines())


def build_sentiment_tables(model: dict, stop: frozenset[str]) -> dict:
    """Per-word log-probabilities of a snownlp Bayes model; stop words map to None."""
    classes = tuple(model["d"])
    probs = [model["d"][k] for k in classes]
    base = tuple(log(p["total"]) - log(model["total"]) for p in probs)
    default = tuple(log(float(p["none"]) / p["total"]) for p in probs)
    vocab: dict[str, None] = {}
    for p in probs:
        vocab.update(dict.fromkeys(p["d"]))
    words: dict[str, tuple[float, ...] | None] = {}
    for w in vocab:
        words[w] = tuple(log(float(p["d"].get(w, p["none"])) / p["total"]) for p in probs)
    for w in stop:
        words[w] = None
    return {"format": _FORMAT, "classes": classes, "base": base, "default": default, "words": words}


def load_sentiment_tables(model_file: str, stop_file: str, cache_dir: str | None) -> dict:
    """Load the Bayes tables from memory or the cache, built anew when the model or stop words
    changed."""
    digest = hashlib.sha256(
        (file_sha256(model_file) + file_sha256(stop_file)).encode("ascii")
    ).hexdigest()
    path = os.path.join(cache_dir or default_cache_dir(), f"sent-{digest[:32]}.{_FORMAT}.marshal")
    return cached_tables(
        path,
        _FORMAT,
        digest,
        lambda: build_sentiment_tables(
            read_snownlp_marshal(model_file), read_stop_words(stop_file)
        ),
    )


class FastSentiment:
    """Segmenter + naive Bayes giving exactly snownlp's words and sentiment probability."""

    version: str

    def __init__(self, segmenter: FastSegmenter, tables: dict, version: str) -> None:
        self._seg = segmenter
        self._classes: tuple[str, ...] = tuple(tables["classes"])
        self._base: tuple[float, ...] = tuple(tables["base"])
        self._default: tuple[float, ...] = tuple(tables["default"])
        self._words: dict = tables["words"]
        self.version = version

    def segment(self, text: str) -> list[str]:
        """Words as snownlp.seg.seg(text) (= SnowNLP(text).words) gives them."""
        return self._seg.seg(text)

    def classify(self, text: str) -> float:
        """Positive probability, identical to SnowNLP(text).sentiments."""
        table = self._words
        default = self._default
        if len(self._classes) == 2:
            a, b = self._base
            for w in self._seg.seg(text):
                lw = table.get(w, default)
                if lw is not None:
                    a += lw[0]
                    b += lw[1]
            return _finish(self._classes, (a, b))
        acc = list(self._base)
        for w in self._seg.seg(text):
            lw = table.get(w, default)
            if lw is not None:
                for k, x in enumerate(lw):
                    acc[k] += x
        return _finish(self._classes, acc)

    def classify_many(self, texts: list[str]) -> list[float]:
        """Sequential batch scoring in this process."""
        return [self.classify(t) for t in texts]


def _finish(classes: tuple[str, ...], tmp: tuple[float, ...] | list[float]) -> float:
    """bayes.Bayes.classify's normalisation and Sentiment.classify's pos/neg flip, verbatim."""
    ret, prob = 0, 0
    for k in range(len(classes)):
        now = 0
        try:
            for other in range(len(classes)):
                now += exp(tmp[other] - tmp[k])
            now = 1 / now
        except OverflowError:
            now = 0
        if now > prob:
            ret, prob = classes[k], now
    if ret == "pos":
        return prob
    return 1 - prob


def load(sentiment_model_path: str | None = None, cache_dir: str | None = None) -> FastSentiment:
    """Ready scorer for snownlp's (or a retrained) sentiment model, from the cache when valid."""
    root = snownlp_dir()
    seg_tables = load_seg_tables(str(root / "seg" / "seg.marshal.3"), cache_dir)
    sent_tables = load_sentiment_tables(
        resolve_sentiment_model(sentiment_model_path),
        str(root / "normal" / "stopwords.txt"),
        cache_dir,
    )
    digest = hashlib.sha256(
        (seg_tables["sha256"] + sent_tables["sha256"]).encode("ascii")
    ).hexdigest()
    version = f"snownlp-{_snownlp_version()}+{digest[:12]}"
    return FastSentiment(FastSegmenter(seg_tables), sent_tables, version)


_WORKER: dict[tuple, FastSentiment] = {}


def _stat_signature(path: str) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns


def _worker_model(sentiment_model_path: str | None, cache_dir: str | None) -> FastSentiment:
    """This process's model for these arguments, reloaded when a model file was replaced."""
    key = (
        sentiment_model_path,
        cache_dir,
        _stat_signature(resolve_sentiment_model(sentiment_model_path)),
        _stat_signature(str(snownlp_dir() / "seg" / "seg.marshal.3")),
    )
    model = _WORKER.get(key)
    if model is None:
        for stale in [k for k in _WORKER if k[:2] == key[:2]]:  # a replaced model file
            del _WORKER[stale]
        model = _WORKER[key] = load(sentiment_model_path, cache_dir)
    return model


def _init_worker(sentiment_model_path: str | None, cache_dir: str | None) -> None:
    _worker_model(sentiment_model_path, cache_dir)


def _score_chunk(args: tuple[str | None, str | None, list[str]]) -> list[float]:
    path, cache_dir, texts = args
    return _worker_model(path, cache_dir).classify_many(texts)


def score_many(
    texts: list[str],
    *,
    sentiment_model_path: str | None = None,
    cache_dir: str | None = None,
    processes: int = 2,
    chunksize: int | None = None,
) -> list[float]:
    """Score many texts over a process pool (one model load per worker), in input order."""
    texts = list(texts)
    model = _worker_model(sentiment_model_path, cache_dir)  # builds the cache once, here
    if processes <= 1 or len(texts) < 2 * (chunksize or 64):
        return model.classify_many(texts)
    size = chunksize or max(64, min(2000, len(texts) // (processes * 4) + 1))
    chunks = [
        (sentiment_model_path, cache_dir, texts[i : i + size]) for i in range(0, len(texts), size)
    ]
    with multiprocessing.get_context().Pool(
        processes, initializer=_init_worker, initargs=(sentiment_model_path, cache_dir)
    ) as pool:
        parts = pool.map(_score_chunk, chunks, chunksize=1)
    return [score for part in parts for score in part]
