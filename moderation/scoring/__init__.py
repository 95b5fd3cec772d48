"""Comment scoring: sentiment models and their lifecycle."""
