"""Click commands for the sentiment-model lifecycle, to be added to the ``moderation`` CLI group.

Context protocol: every command takes ``click.pass_obj``; the object must have

* ``data_dir`` -- a ``pathlib.Path``, the service's data folder (models live in
  ``<data_dir>/models/sentiment/``, see ``ModelStore``);
* ``settings`` -- the service's settings (``evaluate-sentiment`` reports its thresholds);
* ``load_corrections()`` -- a callable returning the moderators' corrections as a list of
  ``(label, text)`` tuples, label 1 = positive, 0 = negative (only ``train-sentiment`` calls it).

Registration (main developer)::

    from moderation.scoring.sentiment_commands import COMMANDS
    for command in COMMANDS:
        cli.add_command(command)

User errors (missing file, bad CSV line, nothing to restore) exit with code 2 and one line on
stderr.  Progress goes to stderr as a percentage line, results to stdout.
"""

from __future__ import annotations

import math
from pathlib import Path

import click

from moderation.scoring import sentiment_models as sm
from moderation.scoring.fast_segment import cache_dir_for


class _UserError(click.UsageError):
    """A one-line user error: exit code 2, no usage text."""

    def show(self, file=None) -> None:
        """Print only the message, so scripts and moderators see one clear line."""
        click.echo(f"Error: {self.format_message()}", err=True, file=file)


def _progress_printer():
    """Return a progress callback printing '<label>: NN%' lines to stderr when the % changes."""
    last: dict[str, int] = {}

    def progress(done: int, total: int, label: str) -> None:
        percent = 100 * done // total if total else 100
        if last.get(label) != percent and (percent % 5 == 0 or done == total):
            last[label] = percent
            click.echo(f"{label}: {percent}% ({done}/{total})", err=True)

    return progress


def _fmt(value: float) -> str:
    """Format a metric, showing n/a for an undefined AUC."""
    return "n/a" if math.isnan(value) else f"{value:.3f}"


def _metrics_lines(m: sm.Metrics) -> list[str]:
    """Lines for n, accuracy, AUC and the confusion table."""
    c = m.confusion
    return [
        f"n={m.n}  accuracy={_fmt(m.accuracy)}  roc_auc={_fmt(m.roc_auc)}",
        "                 predicted +  predicted -",
        f"  actual + (1)   {c['tp']:>11}  {c['fn']:>11}",
        f"  actual - (0)   {c['fp']:>11}  {c['tn']:>11}",
    ]


def _check_files(files) -> list[Path]:
    """Fail early, with one line, on a CSV path that is not a readable file."""
    paths = [Path(f) for f in files]
    for p in paths:
        if not p.is_file():
            raise _UserError(f"no such file: {p}")
    return paths


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


def echo_training(result) -> None:
    """The held-out set and both models' figures on it."""
    click.echo(f"held-out set: {result.candidate.n} rows ({result.holdout_source})")
    for title, version, m in (
        ("candidate", result.version, result.candidate),
        ("current", result.current_version, result.current),
    ):
        click.echo(f"{title:<9} {version}: accuracy={_fmt(m.accuracy)} roc_auc={_fmt(m.roc_auc)}")


def echo_switch(result, not_switched_hint: str) -> None:
    """Whether the candidate became active, and what to do when it did not."""
    if result.switched:
        click.echo(f"switched: yes, {result.version} is now active")
    else:
        click.echo(
            f"switched: no, {result.active_version} stays active "
            f"(saved {result.version}; {not_switched_hint})"
        )


@click.command("train-sentiment")
@training_options(
    "Labelled label,text CSV; part is held out for evaluation. Repeatable.",
    "Fraction of the CSV rows held out.",
)
@click.pass_obj
def train_sentiment(obj, data_files, holdout):
    """Retrain the sentiment model on corrections + CSVs; activate it if it is no worse."""
    files = _check_files(data_files)
    try:
        result = sm.train(
            Path(obj.data_dir),
            list(obj.load_corrections()),
            files,
            holdout_fraction=holdout,
            progress=_progress_printer(),
        )
    except ValueError as exc:
        raise _UserError(str(exc)) from None
    echo_training(result)
    echo_switch(result, "activate it by hand if wanted")


@click.command("evaluate-sentiment")
@click.argument("csv_file", metavar="FILE.csv")
@click.pass_obj
def evaluate_sentiment(obj, csv_file):
    """Report the active sentiment model's accuracy, ROC AUC and confusion on a labelled CSV."""
    (path,) = _check_files([csv_file])
    store = sm.ModelStore(Path(obj.data_dir))
    try:
        rows = sm.read_labelled_csv(path)
        classify = sm.load_classifier(store.active_path(), cache_dir_for(obj.data_dir))
        scores = sm.score_rows(classify, rows, progress=_progress_printer())
    except (ValueError, FileNotFoundError) as exc:
        raise _UserError(str(exc)) from None
    labels = [label for label, _ in rows]
    click.echo(f"model: {store.active_version()}")
    for line in _metrics_lines(sm.metrics_from_scores(labels, scores)):
        click.echo(line)
    for line in _label_lines(labels, scores, obj.settings.scoring):
        click.echo(line)


def _label_lines(labels, scores, scoring) -> list[str]:
    """What the service labels at its configured thresholds, per actual class."""
    from moderation.scoring.scorer import label as label_of

    counts = {(y, kind): 0 for y in (0, 1) for kind in ("negative", "neutral", "positive")}
    for y, score in zip(labels, scores, strict=True):
        counts[y, label_of(score, scoring.negative_below, scoring.positive_above)] += 1
    return [
        f"at negative_below={scoring.negative_below} positive_above={scoring.positive_above}:",
        "                 negative   neutral  positive",
        *(
            f"  actual {name:<9}{counts[y, 'negative']:>8}  {counts[y, 'neutral']:>8}"
            f"  {counts[y, 'positive']:>8}"
            for y, name in ((1, "+ (1)"), (0, "- (0)"))
        ),
    ]


@click.command("restore-sentiment")
@click.pass_obj
def restore_sentiment(obj):
    """Roll the sentiment model back one step and say which version is now active."""
    _restore(sm.ModelStore(Path(obj.data_dir)))


def _restore(store: sm.ModelStore) -> None:
    """Undo a store's last activation with one clear line when there is none."""
    try:
        version = store.restore_previous()
    except LookupError as exc:
        raise _UserError(str(exc).strip("'\"")) from None
    click.echo(f"active {store.kind} model: {version}")


@click.command("sentiment-models")
@click.pass_obj
def sentiment_models(obj):
    """List stored sentiment models, marking the active one with '*'."""
    for v in sm.ModelStore(Path(obj.data_dir)).list_versions():
        cand = (v.get("metrics") or {}).get("candidate") or {}
        extra = ""
        if cand:
            extra = f"  held-out accuracy={cand['accuracy']:.3f} (n={cand['n']})"
        created = v.get("created") or "shipped with snownlp"
        click.echo(f"{'*' if v['active'] else ' '} {v['version']}  {created}{extra}")


COMMANDS = [train_sentiment, evaluate_sentiment, restore_sentiment, sentiment_models]
