"""Comment scoring: sentiment and related signals."""
