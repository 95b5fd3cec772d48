"""Alerts: what to tell the newsroom, and the robots and mailboxes that carry it.

`targets` and `mail` speak each platform's documented protocol and touch no database;
`dispatch` takes due deliveries from storage, sends them and records the outcome.
"""
