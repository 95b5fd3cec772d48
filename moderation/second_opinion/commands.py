"""`moderation second-opinion TEXT`: ask the configured providers once, to check a setup."""

from __future__ import annotations

import click


@click.command("second-opinion")
@click.argument("text")
@click.option("--provider", "names", multiple=True, help="Provider name (default: every one).")
@click.pass_obj
def second_opinion_command(obj, text: str, names: tuple[str, ...]) -> None:
    """Ask the configured second-opinion providers about TEXT (masked as configured)."""
    from moderation.scoring.personal_data import mask_personal_data
    from moderation.second_opinion import LEVELS, ask_all, content_digest, make_provider
    from moderation.second_opinion.model import label_words

    config = obj.settings.second_opinion
    providers = config.provider_settings()
    if not providers:
        raise click.UsageError("no provider in [second_opinion]: nothing is sent anywhere")
    unknown = [name for name in names if name not in providers]
    if unknown:
        raise click.UsageError(
            f"unknown provider {unknown[0]!r} (configured: {', '.join(providers)})"
        )
    sent = mask_personal_data(text) if config.mask_before_sending else text
    chosen = [providers[name] for name in names or providers]
    asked = ask_all([(make_provider(p), content_digest(sent), sent) for p in chosen])
    failed = False
    for provider, outcome in zip(chosen, asked, strict=True):
        if outcome.answer is None:
            failed = True
            click.echo(
                f"{provider.shown}: {outcome.status} ({outcome.latency_ms} ms): {outcome.error}"
            )
            continue
        answer = outcome.answer
        labels = label_words(answer.labels) or "—"
        own = "、".join(answer.provider_labels) or "—"
        click.echo(
            f"{provider.shown}: {answer.level} {LEVELS[answer.level]} ({outcome.latency_ms} ms); "
            f"标签 {labels}; 原始标签 {own}"
        )
    if failed:
        raise SystemExit(1)
