"""Dashboard roles, ordered: each role may do everything the roles before it may.

moderator decides comments; editor also builds the column and exports; chief editor also
signs off an edition; admin also manages users, channels and word lists.
"""

MODERATOR = "moderator"
EDITOR = "editor"
CHIEF_EDITOR = "chief_editor"
ADMIN = "admin"
ROLES = (MODERATOR, EDITOR, CHIEF_EDITOR, ADMIN)
ROLE_NAMES = {MODERATOR: "审核员", EDITOR: "编辑", CHIEF_EDITOR: "值班总编", ADMIN: "管理员"}


def may(role: str | None, required: str) -> bool:
    """Whether a user with `role` may do what needs `required`."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(required)
