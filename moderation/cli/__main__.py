"""`python -m moderation.cli`: the `moderation` command."""

from moderation.cli import main

main()
