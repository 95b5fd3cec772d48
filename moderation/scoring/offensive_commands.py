"""Click commands for the offensive model, the sentiment model's family of commands.

``evaluate-offensive``, ``train-offensive``, ``offensive-models``, ``activate-offensive``,
``restore-offensive``, and ``activate-sentiment`` (the sentiment model's missing verb). Same
context protocol as ``sentiment_commands``, plus ``settings`` (the configured thresholds) and
``load_offensive_labels()`` (the newsroom's labels as ``(label, text)``, 1 = offensive).
The model modules (numpy, scikit-learn) are imported inside the commands, so ``--help`` stays
instant.
"""

from __future__ import annotations

from pathlib import Path

import click

from moderation.scoring import sentiment_models as sm
from moderation.scoring.sentiment_commands import (
    _check_files,
    _fmt,
    _metrics_lines,
    _progress_printer,
    _restore,
    _UserError,
    echo_switch,
    echo_training,
    training_options,
)


def threshold_lines(labels, scores, title: str, flagged) -> list[str]:
    """The confusion table of what the service flags (``flagged(score)``), positive = 1."""
    table = sm.confusion(labels, [1 if flagged(score) else 0 for score in scores])
    n = len(labels)
    accuracy = (table["tp"] + table["tn"]) / n
    return [
        f"{title}: accuracy={_fmt(accuracy)}",
        "                 flagged      not flagged",
        f"  actual + (1)   {table['tp']:>11}  {table['fn']:>11}",
        f"  actual - (0)   {table['fp']:>11}  {table['tn']:>11}",
    ]


def scored_rows(classify, csv_file) -> tuple[list[int], list[float]]:
    """Labels and scores of a labelled CSV (one clear line on a bad file)."""
    (path,) = _check_files([csv_file])
    try:
        rows = sm.read_labelled_csv(path)
        if not rows:
            raise ValueError(f"{path}: no rows")
    except ValueError as exc:
        raise _UserError(str(exc)) from None
    progress = _progress_printer()
    scores = []
    for done, (_, text) in enumerate(rows, 1):
        scores.append(float(classify(text)))
        if done % 500 == 0 or done == len(rows):
            progress(done, len(rows), "scoring")
    return [label for label, _ in rows], scores


@click.command("evaluate-offensive")
@click.argument("csv_file", metavar="FILE.csv")
@click.pass_obj
def evaluate_offensive(obj, csv_file):
    """Report the active offensive model's accuracy, ROC AUC and flags on a labelled CSV."""
    from moderation.scoring import offensive_models as om

    store = om.OffensiveStore(Path(obj.data_dir))
    scoring = obj.settings.scoring
    labels, scores = scored_rows(store.active_model().score, csv_file)
    click.echo(f"model: {store.active_version()}  (label 1 = offensive)")
    for line in _metrics_lines(sm.metrics_from_scores(labels, scores)):
        click.echo(line)
    review, reject = scoring.offensive_review_above, scoring.offensive_reject_above
    for title, cut in (("review", review), ("reject", reject)):
        lines = threshold_lines(labels, scores, f"at {title} >= {cut}", lambda s, c=cut: s >= c)
        for line in lines:
            click.echo(line)


@click.command("train-offensive")
@training_options(
    "Labelled label,text CSV (1 = offensive); part is held out. Repeatable.",
    "Fraction of the newsroom and CSV rows held out to compare the models.",
)
@click.option(
    "--without-shipped-data",
    is_flag=True,
    help="Train on the newsroom's labels and the CSVs alone (not COLD and the seed).",
)
@click.pass_obj
def train_offensive(obj, data_files, holdout, without_shipped_data):
    """Retrain the offensive model on COLD + newsroom decisions + CSVs; activate if no worse."""
    from moderation.scoring import offensive_models as om

    files = _check_files(data_files)
    try:
        result = om.train(
            Path(obj.data_dir),
            list(obj.load_offensive_labels()),
            files,
            holdout_fraction=holdout,
            progress=_progress_printer(),
            base=[] if without_shipped_data else None,
        )
    except ValueError as exc:
        raise _UserError(str(exc)) from None
    click.echo(f"trained on {result.counts['shipped']} shipped + {result.counts['train']} rows")
    echo_training(result)
    if result.version == result.current_version:
        click.echo(f"switched: no, the candidate is {result.version} itself (nothing changed)")
    else:
        echo_switch(result, f"moderation activate-offensive {result.version} to use it anyway")


def _activate(store: sm.ModelStore, version: str) -> None:
    """Activate a stored version with one clear line on an unknown one."""
    try:
        store.activate(version)
    except (KeyError, FileNotFoundError) as exc:
        raise _UserError(str(exc).strip("'\"")) from None
    click.echo(f"active {store.kind} model: {store.active_version()}")


@click.command("activate-offensive")
@click.argument("version")
@click.pass_obj
def activate_offensive(obj, version):
    """Make a stored offensive model (or cold-default) the active one."""
    from moderation.scoring import offensive_models as om

    _activate(om.OffensiveStore(Path(obj.data_dir)), version)


@click.command("activate-sentiment")
@click.argument("version")
@click.pass_obj
def activate_sentiment(obj, version):
    """Make a stored sentiment model (or snownlp-default) the active one."""
    _activate(sm.ModelStore(Path(obj.data_dir)), version)


@click.command("restore-offensive")
@click.pass_obj
def restore_offensive(obj):
    """Roll the offensive model back one step and say which version is now active."""
    from moderation.scoring import offensive_models as om

    _restore(om.OffensiveStore(Path(obj.data_dir)))


@click.command("offensive-models")
@click.pass_obj
def offensive_models(obj):
    """List stored offensive models, marking the active one with '*'."""
    from moderation.scoring import offensive
    from moderation.scoring import offensive_models as om

    for entry in om.OffensiveStore(Path(obj.data_dir)).list_versions():
        candidate = (entry.get("metrics") or {}).get("candidate") or {}
        extra = ""
        if candidate:
            auc = candidate["roc_auc"]
            extra = f"  held-out roc_auc={_fmt(float('nan') if auc is None else auc)}"
            extra += f" (n={candidate['n']})"
        created = entry.get("created") or f"shipped ({offensive.SHIPPED_MODEL.name})"
        click.echo(f"{'*' if entry['active'] else ' '} {entry['version']}  {created}{extra}")


COMMANDS = [
    evaluate_offensive,
    train_offensive,
    activate_offensive,
    restore_offensive,
    offensive_models,
    activate_sentiment,
]
