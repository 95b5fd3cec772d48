"""Signals computed from comment text: sentiment, flags and groups (pure functions)."""
