"""Comment moderation and aggregation for the newsroom."""
