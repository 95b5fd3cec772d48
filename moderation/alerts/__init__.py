"""Alerts: what to tell the newsroom, and the robots and mailboxes that carry it.

`conditions`, `targets` and `mail` judge counts and speak each platform's documented protocol;
they touch no database. Judging the rules over storage and sending the due deliveries happen
a layer up, in `moderation.sending` (`alert_evaluation`, `alert_delivery`).
"""

from moderation.declare import register_check


def _check_targets(entries: list) -> dict:
    """The configured targets built, by name (alerts.config is imported only when a config
    is checked)."""
    from moderation.alerts.config import build_targets

    return build_targets(entries)


register_check("alert_targets", _check_targets)
