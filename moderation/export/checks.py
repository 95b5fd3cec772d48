"""What stands between an edition and print: every check the builder lists before sign-off.

Each problem names where it is, what to do, and whether an editor may sign off anyway with a
recorded note (`overridable`). Problems that would put something unfit on paper — a comment
no longer approved, a quote without a name, personal data, characters the print font lacks —
can only be fixed, never overridden. Checks are pure over the edition's sections; the storage
module gathers the rows and keeps the overrides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from moderation.scoring.duplicates import duplicate_groups
from moderation.scoring.personal_data import find_personal_data
from moderation.scoring.print_safe import removable, unprintable
from moderation.states import APPROVED

# What the builder offers for each kind of problem (the template maps these to buttons).
FIX_EDIT, FIX_REMOVE, FIX_PRINT_RULE, FIX_MASK, FIX_INTRO = (
    "edit", "remove", "print_rule", "mask", "intro",
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One thing to fix (or, when `overridable`, to sign off anyway with a note).

    `key` is stable while the quotes it names stay in the edition, so an override recorded
    for it lapses as soon as the edition changes under it.
    """

    key: str
    message: str
    fix: str | None = None
    quote_id: int | None = None
    section_id: int | None = None
    overridable: bool = False

    def __str__(self) -> str:
        return self.message


def _where(section: dict, number: int) -> str:
    return f"“{section['heading']}”第{number}条"


def _numbered(sections: list[dict]):
    for section in sections:
        for number, quote in enumerate(section["quotes"], start=1):
            yield section, number, quote


def quote_problems(
    section: dict, number: int, quote: dict, require_consent: bool, offensive_review: float
) -> list[Problem]:
    """The problems of one quote on its own."""
    where, quote_id = _where(section, number), quote["id"]
    found: list[Problem] = []

    def add(kind: str, message: str, fix: str, overridable: bool = False) -> None:
        found.append(
            Problem(f"{kind}:{quote_id}", where + message, fix, quote_id, None, overridable)
        )

    if not quote.get("display_name"):
        add("unnamed", "缺少署名（网友@后的名字）", FIX_EDIT)
    if require_consent and not quote.get("consent"):
        add("consent", "未勾选“已核实/已获同意”", FIX_EDIT)
    if quote.get("comment_status") != APPROVED:
        add("status", "的评论已不在“已通过”状态，请移出或重新审核", FIX_REMOVE)
    printed = f"{quote.get('display_name') or ''}{quote['excerpt']}"
    if find_personal_data(printed):
        add("personal", "含有个人信息（电话、证件号等），请遮盖后再签发", FIX_MASK)
    emoji = removable(printed)
    if emoji:
        add("emoji", f"含有印刷字体没有的表情：{''.join(emoji)}（按规则删除）", FIX_PRINT_RULE)
    odd = unprintable(printed)
    if odd:
        add("charset", f"含有印刷字体可能缺少的字符：{''.join(odd)}，请改写", FIX_EDIT)
    offensive = quote.get("offensive")
    if offensive is not None and offensive >= offensive_review:
        message = f"冒犯程度 {offensive:.2f}，达到复核线 {offensive_review:.2f}，请确认措辞"
        add("offensive", message, FIX_EDIT, overridable=True)
    return found


def duplicate_problems(sections: list[dict]) -> list[Problem]:
    """The same or nearly the same text twice in the edition (same duplicate group, or the
    excerpts themselves duplicates): one of them goes."""
    numbered = list(_numbered(sections))
    by_excerpt = duplicate_groups((quote["id"], quote["excerpt"]) for _, _, quote in numbered)
    groups: dict[tuple, list] = defaultdict(list)
    for section, number, quote in numbered:
        excerpt_group = ("excerpt", by_excerpt.get(quote["id"], quote["id"]))
        groups[excerpt_group].append((section, number, quote))
        if quote.get("dup_group") is not None:
            groups[("scored", quote["dup_group"])].append((section, number, quote))
    found, seen = [], set()
    for members in groups.values():
        ids = tuple(sorted(quote["id"] for _, _, quote in members))
        if len(ids) < 2 or ids in seen:
            continue
        seen.add(ids)
        places = "、".join(_where(section, number) for section, number, _ in members)
        later = members[-1][2]["id"]
        found.append(
            Problem(f"duplicate:{','.join(map(str, ids))}",
                    f"{places}是相同或几乎相同的文字，请只保留一条", FIX_REMOVE, later,
                    overridable=True)
        )  # fmt: skip
    return found


def author_problems(sections: list[dict]) -> list[Problem]:
    """Two quotes by one author in a section: one reader should not speak twice."""
    found = []
    for section in sections:
        by_author: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for number, quote in enumerate(section["quotes"], start=1):
            by_author[quote.get("author_key") or f"quote:{quote['id']}"].append((number, quote))
        for members in by_author.values():
            if len(members) < 2:
                continue
            ids = ",".join(str(quote["id"]) for _, quote in members)
            numbers = "、".join(f"第{number}条" for number, _ in members)
            found.append(
                Problem(f"author:{ids}", f"“{section['heading']}”{numbers}出自同一位网友",
                        FIX_REMOVE, members[-1][1]["id"], section["id"], overridable=True)
            )  # fmt: skip
    return found


def section_problems(sections: list[dict]) -> list[Problem]:
    """Sections that would print without an editor's intro."""
    return [
        Problem(f"intro:{section['id']}", f"“{section['heading']}”还没有编者导语", FIX_INTRO,
                section_id=section["id"], overridable=True)
        for section in sections
        if section["quotes"] and not (section.get("intro") or "").strip()
    ]  # fmt: skip


def edition_problems(
    sections: list[dict], require_consent: bool, offensive_review: float
) -> list[Problem]:
    """Every problem of an edition, in reading order of the checks."""
    if not any(section["quotes"] for section in sections):
        return [Problem("empty", "专栏还没有任何评论")]
    found = section_problems(sections)
    for section, number, quote in _numbered(sections):
        found += quote_problems(section, number, quote, require_consent, offensive_review)
    return found + duplicate_problems(sections) + author_problems(sections)


def blocking(problems: list[Problem], overridden: set[str]) -> list[Problem]:
    """The problems that still stop a sign-off: all but those overridden with a note."""
    return [p for p in problems if not (p.overridable and p.key in overridden)]
