"""`python -m tests.scheduling_cli ...`: the real `moderation` CLI plus the test channel type."""

from moderation.cli import main
from tests.scheduling_channel import register

if __name__ == "__main__":
    register()
    main()
