"""Moderation rules: ordered conditions over a scored comment, each with one action.

Pure: no database and nothing of the rest of the package. Storage loads the rules, builds
the facts of a batch and applies what :func:`engine.evaluate` decides.
"""
