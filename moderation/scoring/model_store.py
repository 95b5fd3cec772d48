"""One store for every trained model kind: versions, activation, rollback and the switch rule.

A model kind (sentiment, offensive) subclasses ``ModelStore`` with its folder name, its
built-in versions (shipped with the package, never deleted) and how a version is loaded;
everything else -- saving a trained model as a version, listing, activating, restoring the
previous one, recording held-out metrics and deciding whether a candidate replaces the active
model -- is here, once.

Layout: ``<data_dir>/models/<kind>/state.json`` holds
``{"versions": {version: metadata}, "history": [activated versions]}``; the last history entry
is active, an empty history means the kind's ``default_version``.  It is rewritten atomically
(tmp file + ``os.replace``) under an ``flock`` so concurrent CLI runs do not lose updates.
A stored version's metadata names its file (``file``), its model family (``family``), the
SHA-256 of what the model says (a retrained model identical to a stored one is not stored
twice), when it was made and what it was trained and checked on.

The switch rule (``switch_if_better``): a new candidate becomes active only when it was
compared on held-out rows (n > 0) and its ROC AUC there is at least the active model's.

Labelled data and evaluation (``read_labelled_csv``, ``Metrics``, ``roc_auc``, ``is_held_out``,
``balanced``) live here too: every kind trains and is judged on the same kind of rows.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import lzma
import os
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

THRESHOLD = 0.5  # a score >= THRESHOLD counts as a positive prediction

Progress = Callable[[int, int, str], None]
Rows = Sequence[tuple[int, str]]


class StorableModel(Protocol):
    """What a trained model gives the store: its family, file suffix, writer and digest."""

    family: str
    suffix: str

    def save(self, path: str) -> None:
        """Write the model to exactly ``path``."""

    def digest(self, path: str) -> str:
        """SHA-256 of what the model file at ``path`` says (not of its container bytes)."""


@dataclass(frozen=True)
class Metrics:
    """Quality of a classifier on labelled rows (confusion at THRESHOLD, positive = 1)."""

    n: int
    accuracy: float
    roc_auc: float  # NaN when the rows hold only one class
    confusion: dict  # {"tp", "fp", "tn", "fn"}


UNCOMPARED = Metrics(n=0, accuracy=float("nan"), roc_auc=float("nan"), confusion={})


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
    """Read a labelled CSV strictly, so a bad row is reported instead of silently mis-used.

    The header names a ``label`` and a ``text`` column (any case, any order, as COLD's own
    release writes ``split,topic,label,TEXT``; ``review`` as the public review corpora
    write it); further columns (COLD's ``topic``) are ignored; a ``.xz`` file is
    decompressed.
    """
    path = Path(path)
    opener = lzma.open if path.suffix == ".xz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            # strict: an unclosed quote is an error, not one row swallowing the file
            return _labelled_rows(path, csv.reader(fh, strict=True))
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None


def _labelled_rows(path: Path, reader) -> list[tuple[int, str]]:
    """The rows of an open CSV reader, header checked, every row checked."""
    rows: list[tuple[int, str]] = []
    columns = None  # (width, label column, text column), from the header
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
        if columns is None:
            columns = _label_text_columns(path, line, record)
            continue
        width, label_at, text_at = columns
        if len(record) != width:
            raise ValueError(f"{path}, line {line}: expected {width} columns, got {len(record)}")
        label, text = record[label_at].strip(), record[text_at].strip()
        if label not in ("0", "1"):
            raise ValueError(f"{path}, line {line}: label must be 0 or 1, got {label!r}")
        if not text:
            raise ValueError(f"{path}, line {line}: missing text")
        rows.append((int(label), text))
    if columns is None:
        raise ValueError(f"{path}: empty file, expected a header with label and text columns")
    return rows


# header names read as the label and the text column: the shared files' own, COLD's release
# (TEXT) and the public Chinese corpora's (weibo_senti_100k and waimai_10k write label,review)
LABEL_NAMES = ("label", "labels", "标签")
TEXT_NAMES = ("text", "review", "content", "sentence", "comment", "文本", "内容", "评论")


def _label_text_columns(path: Path, line: int, header: list[str]) -> tuple[int, int, int]:
    """(width, label column, text column) of a header; ValueError naming what is missing."""
    names = [cell.strip().lower() for cell in header]
    label = next((names.index(name) for name in LABEL_NAMES if name in names), None)
    text = next((names.index(name) for name in TEXT_NAMES if name in names), None)
    if label is None or text is None:
        raise ValueError(
            f"{path}, line {line}: expected a header with label and text columns "
            f"(e.g. 'label,text' or 'label,review'), got {header!r}"
        )
    return len(header), label, text


def is_held_out(text: str, fraction: float, seed: int | str = 0) -> bool:
    """Deterministic, order-independent hold-out choice from a hash of seed and text.

    Identical texts always land on the same side, and a file that grows keeps its split.
    """
    digest = hashlib.sha256(f"{seed}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def hash_halves(rows: Rows, seed: int | str) -> tuple[list, list]:
    """(choosing, reporting) halves of labelled rows, by hash: a row reports when
    ``is_held_out(text, 0.5, seed)``. Thresholds are read off one half and quoted for the other."""
    choose: list[tuple[int, str]] = []
    report: list[tuple[int, str]] = []
    for row in rows:
        (report if is_held_out(row[1], 0.5, seed) else choose).append(row)
    return choose, report


def balanced(rows: Rows, seed: int | str = 0) -> list[tuple[int, str]]:
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


def confusion(labels: Sequence[int], predictions: Sequence[int]) -> dict:
    """{"tp", "fp", "tn", "fn"} of 0/1 predictions against 0/1 labels (positive = 1)."""
    table = {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    for y, pred in zip(labels, predictions, strict=True):
        table[("t" if pred == y else "f") + ("p" if pred == 1 else "n")] += 1
    return table


def metrics_from_scores(labels: Sequence[int], scores: Sequence[float]) -> Metrics:
    """Build Metrics from already computed scores (lets callers score once, report twice)."""
    table = confusion(labels, [1 if s >= THRESHOLD else 0 for s in scores])
    n = len(labels)
    return Metrics(
        n=n,
        accuracy=(table["tp"] + table["tn"]) / n if n else float("nan"),
        roc_auc=roc_auc(labels, scores),
        confusion=table,
    )


def score_rows(
    classify: Callable[[str], float], rows: Rows, progress: Progress | None = None
) -> list[float]:
    """Each row's score, with progress (so one scoring can feed several reports)."""
    if not rows:
        raise ValueError("no rows to evaluate")
    scores: list[float] = []
    tick = ticker(progress, len(rows), "scoring")
    for done, (_, text) in enumerate(rows, 1):
        scores.append(float(classify(text)))
        tick(done)
    return scores


def evaluate(
    classify: Callable[[str], float], rows: Rows, progress: Progress | None = None
) -> Metrics:
    """Score labelled rows with a classifier so models can be compared on the same numbers."""
    return metrics_from_scores([label for label, _ in rows], score_rows(classify, rows, progress))


def metrics_dict(metrics: Metrics) -> dict:
    """JSON-friendly Metrics (NaN AUC becomes null)."""
    auc = None if metrics.roc_auc != metrics.roc_auc else round(metrics.roc_auc, 6)
    return {
        "n": metrics.n,
        "accuracy": round(metrics.accuracy, 6),
        "roc_auc": auc,
        "confusion": dict(metrics.confusion),
    }


def ticker(progress: Progress | None, total: int, label: str) -> Callable[[int], None]:
    """Throttle progress callbacks to about one per percent (plus the final one)."""
    if progress is None:
        return lambda done: None
    step = max(1, total // 100)

    def tick(done: int) -> None:
        if done == total or done % step == 0:
            progress(done, total, label)

    return tick


# ---------------------------------------------------------------------------- store


@dataclass(frozen=True)
class Entry:
    """One version as a loader needs it: name, model family and file (None = library's own)."""

    version: str
    family: str
    path: str | None


class ModelStore:
    """Versioned models of one kind under ``<data_dir>/models/<kind>/`` with one-step rollback.

    Subclasses set ``kind``, ``builtins`` ({version: Entry} shipped with the package, the
    first being ``default_version``) and ``load(entry)``.
    """

    kind = "model"
    builtins: dict[str, Entry] = {}
    legacy_family = ""  # the family of versions stored before families were recorded

    def __init__(self, data_dir: Path):
        """Open (lazily create) the store in a data folder."""
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "models" / self.kind
        self.state_file = self.root / "state.json"

    @property
    def default_version(self) -> str:
        """The version active while nothing was activated: the first built-in one."""
        return next(iter(self.builtins))

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

    def _entry_of(self, state: dict, version: str) -> Entry:
        """The Entry of a built-in or stored version (KeyError for an unknown one)."""
        if version in self.builtins:
            return self.builtins[version]
        meta = state["versions"].get(version)
        if meta is None:
            raise KeyError(f"unknown {self.kind} model version: {version}")
        return Entry(version, meta.get("family", self.legacy_family), str(self.root / meta["file"]))

    # -- queries
    def active_version(self) -> str:
        """Name of the model the service should score with."""
        history = self._read()["history"]
        return history[-1] if history else self.default_version

    def active_entry(self) -> Entry:
        """The active version, its family and file."""
        state = self._read()
        version = state["history"][-1] if state["history"] else self.default_version
        return self._entry_of(state, version)

    def entry(self, version: str) -> Entry:
        """A named version's family and file (KeyError for an unknown one)."""
        return self._entry_of(self._read(), version)

    def active_path(self) -> str | None:
        """File of the active model; None = the library's own (snownlp's shipped model)."""
        return self.active_entry().path

    def list_versions(self) -> list[dict]:
        """Built-in versions, then stored ones oldest first, with metadata and ``active``."""
        state = self._read()
        active = state["history"][-1] if state["history"] else self.default_version
        out = [
            {
                "version": v,
                "family": e.family,
                "path": e.path,
                "created": None,
                "active": v == active,
            }
            for v, e in self.builtins.items()
        ]
        for version, meta in sorted(
            state["versions"].items(), key=lambda kv: (kv[1].get("created", ""), kv[0])
        ):
            out.append(
                {
                    **meta,
                    "version": version,
                    "path": str(self.root / meta["file"]),
                    "active": version == active,
                }
            )
        return out

    def load(self, entry: Entry):
        """The loaded model of a version (each kind says how)."""
        raise NotImplementedError

    def load_active(self):
        """The loaded active model."""
        return self.load(self.active_entry())

    # -- changes
    def save_model(self, model: StorableModel, meta: dict | None = None) -> tuple[str, str]:
        """Store a trained model as a new version (not activated); return it + its file.

        A model identical to a stored version is not stored twice: that version is returned.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC)
        tmp_file = str(self.root / f".tmp-{os.getpid()}-{time.monotonic_ns()}{model.suffix}")
        model.save(tmp_file)
        digest = model.digest(tmp_file)
        with self._locked():
            state = self._read()
            for version, known in state["versions"].items():
                if known.get("sha256") == digest and (self.root / known["file"]).exists():
                    os.remove(tmp_file)
                    return version, str(self.root / known["file"])
            version = f"newsroom-{stamp:%Y%m%dT%H%M%S}-{digest[:8]}"
            path = self.root / f"{version}{model.suffix}"
            os.replace(tmp_file, path)
            state["versions"][version] = {
                **(meta or {}),
                "family": model.family,
                "created": stamp.isoformat(timespec="seconds"),
                "file": path.name,
                "sha256": digest,
            }
            self._write(state)
        return version, str(path)

    def record_metrics(self, version: str, metrics: dict) -> None:
        """Attach evaluation results to a version so listings can show them."""
        with self._locked():
            state = self._read()
            if version not in state["versions"]:
                raise KeyError(f"unknown {self.kind} model version: {version}")
            state["versions"][version]["metrics"] = metrics
            self._write(state)

    def activate(self, version: str) -> None:
        """Make a stored or built-in version the active model, remembering the old one."""
        with self._locked():
            state = self._read()
            entry = self._entry_of(state, version)
            if entry.path is not None and not os.path.exists(entry.path):
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

    def switch_if_better(
        self, version: str, candidate: Metrics, current: Metrics, current_version: str
    ) -> bool:
        """Record both models' held-out metrics; activate the candidate if it is no worse.

        The one switch rule of every kind: compared on held-out rows (n > 0), a version other
        than the active one, ROC AUC at least the active model's.
        """
        self.record_metrics(
            version,
            {
                "candidate": metrics_dict(candidate),
                "baseline": {"version": current_version, **metrics_dict(current)},
            },
        )
        switched = (
            candidate.n > 0 and version != current_version and candidate.roc_auc >= current.roc_auc
        )
        if switched:
            self.activate(version)
        return switched

    def train_result(self, version: str, path: str, compared: Compared, **extra) -> TrainResult:
        """Record, switch and report a trained candidate compared with the active model."""
        switched = self.switch_if_better(
            version, compared.candidate, compared.current, compared.current_version
        )
        return TrainResult(
            version=version,
            path=path,
            candidate=compared.candidate,
            current=compared.current,
            current_version=compared.current_version,
            switched=switched,
            active_version=self.active_version(),
            holdout_source=compared.source,
            **extra,
        )


@dataclass(frozen=True)
class Compared:
    """Both models' figures on the same held-out rows, and where those rows came from."""

    candidate: Metrics
    current: Metrics
    current_version: str
    source: str
