"""Alerts: what to tell the newsroom, and the robots and mailboxes that carry it.

`conditions`, `targets` and `mail` judge counts and speak each platform's documented protocol;
they touch no database. Judging the rules over storage and sending the due deliveries happen
a layer up, in `moderation.sending` (`alert_evaluation`, `alert_delivery`).
"""
