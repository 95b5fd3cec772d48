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


def service_levels(scoring, texts, scores) -> list[str]:
    """The offensive level the service gives each text: model, insult words, report phrases."""
    from moderation.scoring import offensive
    from moderation.scoring.flags import INSULT, build_checker
    from moderation.scoring.scorer import rules_from

    checker = build_checker(rules_from(scoring))
    review, reject = scoring.offensive_review_above, scoring.offensive_reject_above
    levels = []
    for text, score in zip(texts, scores, strict=True):
        insult = any(flag.code == INSULT for flag in checker.check(text))
        levels.append(offensive.judge(score, insult, checker.is_report(text), review, reject))
    return levels


def service_report(labels, levels, review: float, reject: float) -> list[str]:
    """The confusion of what the service flags at review (or above) and at reject."""
    lines = ["with the word lists (insult words, crime and scam report phrases):"]
    for title, flagged in (("review", ("review", "reject")), ("reject", ("reject",))):
        cut = review if title == "review" else reject
        lines += mc.threshold_lines(
            labels,
            [1.0 if level in flagged else 0.0 for level in levels],
            f"  flagged at {title} (>= {cut})",
            lambda s: s >= 1.0,
        )
    return lines


def rate_lines(title: str, labels, flagged) -> str:
    """One line: the share of civil and of offensive rows flagged."""
    civil = [f for y, f in zip(labels, flagged, strict=True) if y == 0]
    rude = [f for y, f in zip(labels, flagged, strict=True) if y == 1]
    return (
        f"{title}: {sum(civil)}/{len(civil)} civil ({_share(civil)}), "
        f"{sum(rude)}/{len(rude)} offensive ({_share(rude)})"
    )


def _share(flags) -> str:
    """A share as a percentage, n/a for none."""
    return f"{sum(flags) / len(flags):.1%}" if flags else "n/a"


@click.command("evaluate-offensive")
@click.argument("csv_file", metavar="FILE.csv")
@click.pass_obj
def evaluate_offensive(obj, csv_file):
    """Report the active offensive model's accuracy, ROC AUC and flags on a labelled CSV."""
    store = _store(Path(obj.data_dir))
    scoring = obj.settings.scoring
    rows = mc.read_rows(mc.check_files([csv_file]))
    scores = ms.score_rows(store.active_model().score, rows, mc.progress_printer())
    labels = [label for label, _ in rows]
    review, reject = scoring.offensive_review_above, scoring.offensive_reject_above
    click.echo(f"model: {store.active_version()}  (label 1 = offensive)")
    for line in mc.metrics_lines(ms.metrics_from_scores(labels, scores)):
        click.echo(line)
    click.echo("the model alone:")
    for line in threshold_report(labels, scores, review, reject):
        click.echo(line)
    levels = service_levels(scoring, [text for _, text in rows], scores)
    for line in service_report(labels, levels, review, reject):
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
    echo_dev_tables(obj.settings.scoring, result.path)
    mc.echo_switch(result, "offensive")


def echo_dev_tables(scoring, model_path: str) -> None:
    """The candidate on both halves of COLD dev (it never trained on either) at the
    configured thresholds, and the thresholds the choosing half would pick."""
    from moderation.scoring import hashed_model
    from moderation.scoring import offensive_models as om

    model = hashed_model.load(model_path, "candidate")
    choose, report = om.dev_halves()
    review, reject = scoring.offensive_review_above, scoring.offensive_reject_above
    for title, rows in (("COLD dev, choosing half", choose), ("COLD dev, held-out half", report)):
        labels = [label for label, _ in rows]
        scores = [model.score(text) for _, text in rows]
        if title.endswith("choosing half"):
            picked = om.choose_thresholds(labels, scores)
            click.echo(
                f"thresholds this candidate's choosing half would pick: review {picked[0]:.2f}, "
                f"reject {picked[1]:.2f} (configured: {review}, {reject})"
            )
        metrics = ms.metrics_from_scores(labels, scores)
        click.echo(f"{title}: n={metrics.n} roc_auc={mc.fmt(metrics.roc_auc)}")
        for cut, name in ((review, "review"), (reject, "reject")):
            click.echo(rate_lines(f"  at {name} >= {cut}", labels, [s >= cut for s in scores]))


COMMANDS = [
    evaluate_offensive,
    train_offensive,
    *mc.store_commands("offensive", _store, "shipped (offensive_data/cold-default.npz)"),
]
