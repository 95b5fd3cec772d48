"""What every model kind's commands share: errors, progress, tables, and the store verbs.

``store_commands(kind, store_of, shipped_note)`` makes ``activate-<kind>``,
``restore-<kind>`` and ``<kind>-models`` for a ``ModelStore``; a kind's own module adds only
its ``train-<kind>`` and ``evaluate-<kind>``.

Context protocol: every command takes ``click.pass_obj``; the object has ``data_dir`` (the
service's data folder, models live in ``<data_dir>/models/<kind>/``), ``settings`` and the
kind's label loader (``load_corrections()``, ``load_offensive_labels()``).

User errors (missing file, bad CSV line, nothing to restore) exit with code 2 and one line on
stderr. Progress goes to stderr as a percentage line, results to stdout.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import click

from moderation.scoring import model_store as ms


class UserError(click.UsageError):
    """A one-line user error: exit code 2, no usage text."""

    def show(self, file=None) -> None:
        """Print only the message, so scripts and moderators see one clear line."""
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def progress_printer():
    """Return a progress callback printing '<label>: NN%' lines to stderr when the % changes."""
    last: dict[str, int] = {}

    def progress(done: int, total: int, label: str) -> None:
        percent = 100 * done // total if total else 100
        if last.get(label) != percent and (percent % 5 == 0 or done == total):
            last[label] = percent
            click.echo(f"{label}: {percent}% ({done}/{total})", err=True)

    return progress


def fmt(value: float | None) -> str:
    """Format a metric, showing n/a for an undefined AUC."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def metrics_lines(metrics: ms.Metrics) -> list[str]:
    """Lines for n, accuracy, AUC and the confusion table."""
    table = metrics.confusion
    return [
        f"n={metrics.n}  accuracy={fmt(metrics.accuracy)}  roc_auc={fmt(metrics.roc_auc)}",
        "                 predicted +  predicted -",
        f"  actual + (1)   {table['tp']:>11}  {table['fn']:>11}",
        f"  actual - (0)   {table['fp']:>11}  {table['tn']:>11}",
    ]


def threshold_lines(labels, scores, title: str, flagged) -> list[str]:
    """The confusion table of what the service flags (``flagged(score)``), positive = 1."""
    table = ms.confusion(labels, [1 if flagged(score) else 0 for score in scores])
    n = len(labels)
    accuracy = (table["tp"] + table["tn"]) / n
    return [
        f"{title}: accuracy={fmt(accuracy)}",
        "                 flagged      not flagged",
        f"  actual + (1)   {table['tp']:>11}  {table['fn']:>11}",
        f"  actual - (0)   {table['fp']:>11}  {table['tn']:>11}",
    ]


def check_files(files) -> list[Path]:
    """Fail early, with one line, on a path that is not a readable file.

    A folder stands for every ``*.csv`` in it (``--data ../shared/data/sentiment``).
    """
    paths: list[Path] = []
    for name in files:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.glob("*.csv"))
            if not found:
                raise UserError(f"no .csv file in folder: {path}")
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        else:
            raise UserError(f"no such file: {path}")
    return paths


def read_rows(paths: list[Path]) -> list[tuple[int, str]]:
    """Every labelled row of the files, one clear line on a bad file."""
    try:
        rows = [row for path in paths for row in ms.read_labelled_csv(path)]
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if not rows:
        raise UserError(f"{', '.join(map(str, paths))}: no rows")
    return rows


def training_options(data_help: str, holdout_help: str):
    """The --data and --holdout options every train-* command takes."""

    def decorate(command):
        command = click.option(
            "--holdout",
            default=0.2,
            show_default=True,
            type=click.FloatRange(0, 1, min_open=True, max_open=True),
            help=holdout_help,
        )(command)
        return click.option(
            "--data", "data_files", multiple=True, metavar="FILE.csv", help=data_help
        )(command)

    return decorate


def echo_training(result: ms.TrainResult) -> None:
    """What the candidate learnt from, the held-out set and both models' figures on it."""
    if "corrections" in result.counts:
        click.echo(f"corrections used: {result.counts['corrections']}")
    if "desk_labels" in result.counts:
        labels = result.counts["desk_labels"]
        click.echo(f"desk labels used (rejected as 辱骂, approved, corrected): {labels}")
    click.echo(f"held-out set: {result.candidate.n} rows ({result.holdout_source})")
    for title, version, metrics in (
        ("candidate", result.version, result.candidate),
        ("current", result.current_version, result.current),
    ):
        click.echo(
            f"{title:<9} {version}: accuracy={fmt(metrics.accuracy)} roc_auc={fmt(metrics.roc_auc)}"
        )


def echo_switch(result: ms.TrainResult, kind: str) -> None:
    """Whether the candidate became active, and what to do when it did not."""
    if result.switched:
        click.echo(f"switched: yes, {result.version} is now active")
    elif result.version == result.current_version:
        click.echo(f"switched: no, the candidate is {result.version} itself (nothing changed)")
    else:
        click.echo(
            f"switched: no, {result.active_version} stays active (saved {result.version}; "
            f"moderation activate-{kind} {result.version} to use it anyway)"
        )


def store_commands(
    kind: str, store_of: Callable[[Path], ms.ModelStore], shipped_note: str
) -> list[click.Command]:
    """``activate-<kind>``, ``restore-<kind>`` and ``<kind>-models`` for one store."""

    @click.command(f"activate-{kind}")
    @click.argument("version")
    @click.pass_obj
    def activate(obj, version):
        store = store_of(Path(obj.data_dir))
        try:
            store.activate(version)
        except (KeyError, FileNotFoundError) as exc:
            raise UserError(str(exc).strip("'\"")) from None
        click.echo(f"active {kind} model: {store.active_version()}")

    @click.command(f"restore-{kind}")
    @click.pass_obj
    def restore(obj):
        store = store_of(Path(obj.data_dir))
        try:
            version = store.restore_previous()
        except LookupError as exc:
            raise UserError(str(exc).strip("'\"")) from None
        click.echo(f"active {kind} model: {version}")

    @click.command(f"{kind}-models")
    @click.pass_obj
    def listing(obj):
        for entry in store_of(Path(obj.data_dir)).list_versions():
            candidate = (entry.get("metrics") or {}).get("candidate") or {}
            extra = f"  [{entry['family']}]" if entry.get("family") else ""
            if candidate:
                extra += (
                    f"  held-out accuracy={fmt(candidate['accuracy'])} "
                    f"roc_auc={fmt(candidate['roc_auc'])} (n={candidate['n']})"
                )
            created = entry.get("created") or shipped_note
            click.echo(f"{'*' if entry['active'] else ' '} {entry['version']}  {created}{extra}")

    activate.help = f"Make a stored or shipped {kind} model the active one."
    restore.help = f"Roll the {kind} model back one step and say which version is now active."
    listing.help = f"List stored {kind} models, marking the active one with '*'."
    return [activate, restore, listing]
