"""Click commands for the offensive model, added to the ``moderation`` CLI group.

``evaluate-offensive`` and ``train-offensive`` here; ``activate-offensive``,
``restore-offensive`` and ``offensive-models`` come from the store's shared verbs
(``model_commands.store_commands``). Context protocol: see ``model_commands``; the object's
``load_offensive_labels()`` returns the newsroom's labels as ``(label, text)``, 1 = offensive.
The model modules (numpy, scikit-learn) are imported inside the commands, so ``--help`` stays
instant.
"""

from __future__ import annotations

from pathlib import Path

import click

from moderation.scoring import model_commands as mc
from moderation.scoring import model_store as ms


def _store(data_dir: Path):
    """The offensive store (imported when a command runs: it loads numpy)."""
    from moderation.scoring import offensive_models as om

    return om.OffensiveStore(data_dir)


def scored_rows(classify, csv_file) -> tuple[list[int], list[float]]:
    """Labels and scores of a labelled CSV (one clear line on a bad file)."""
    rows = mc.read_rows(mc.check_files([csv_file]))
    scores = ms.score_rows(classify, rows, mc.progress_printer())
    return [label for label, _ in rows], scores


def threshold_report(labels, scores, review: float, reject: float) -> list[str]:
    """The confusion at the review and at the reject threshold."""
    lines = []
    for title, cut in (("review", review), ("reject", reject)):
        lines += mc.threshold_lines(labels, scores, f"at {title} >= {cut}", lambda s, c=cut: s >= c)
    return lines


@click.command("evaluate-offensive")
@click.argument("csv_file", metavar="FILE.csv")
@click.pass_obj
def evaluate_offensive(obj, csv_file):
    """Report the active offensive model's accuracy, ROC AUC and flags on a labelled CSV."""
    store = _store(Path(obj.data_dir))
    scoring = obj.settings.scoring
    labels, scores = scored_rows(store.active_model().score, csv_file)
    click.echo(f"model: {store.active_version()}  (label 1 = offensive)")
    for line in mc.metrics_lines(ms.metrics_from_scores(labels, scores)):
        click.echo(line)
    for line in threshold_report(
        labels, scores, scoring.offensive_review_above, scoring.offensive_reject_above
    ):
        click.echo(line)


@click.command("train-offensive")
@mc.training_options(
    "Labelled label,text CSV (1 = offensive), or a folder of them; part is held out. Repeatable.",
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

    files = mc.check_files(data_files)
    try:
        result = om.train(
            Path(obj.data_dir),
            list(obj.load_offensive_labels()),
            files,
            holdout_fraction=holdout,
            progress=mc.progress_printer(),
            base=[] if without_shipped_data else None,
        )
    except ValueError as exc:
        raise mc.UserError(str(exc)) from None
    click.echo(f"trained on {result.counts['shipped']} shipped + {result.counts['train']} rows")
    mc.echo_training(result)
    mc.echo_switch(result, "offensive")


COMMANDS = [
    evaluate_offensive,
    train_offensive,
    *mc.store_commands("offensive", _store, "shipped (offensive_data/cold-default.npz)"),
]
