"""CSV and JSON exports of an edition with provenance: where each quote came from, its
original and printed text, and every decision taken on it. Deterministic: same edition,
same bytes."""

from __future__ import annotations

import csv
import io
import json

from moderation.export.edition import UNSIGNED_MARK, for_print, is_unsigned, printable_sections
from moderation.export.masking import mask
from moderation.storage import editions as store

CSV_FIELDS = (
    "edition_date",
    "section",
    "story_title",
    "story_channel",
    "story_native_id",
    "position",
    "channel",
    "native_id",
    "origin",
    "display_name",
    "original_text",
    "printed_text",
    "edited",
    "consent",
    "state",
    "decisions",
    "edition_status",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DECISION_FIELDS = ("at", "actor", "action", "from_state", "to_state", "reason")


def quote_records(db, edition: dict) -> list[dict]:
    """One record per quote, in print order, with masked texts and its decisions."""
    printable_sections(db, edition)  # refuses an edition with unnamed quotes
    records = []
    for number, section in enumerate(store.sections(db, edition), start=1):
        history = store.quote_decisions(db, [q["comment_id"] for q in section["quotes"]])
        for position, quote in enumerate(section["quotes"], start=1):
            records.append(
                {
                    "edition_date": edition["date"],
                    "section": number,
                    "story_title": section["heading"],
                    "story_channel": section["story_channel"],
                    "story_native_id": section["story_native_id"],
                    "position": position,
                    "channel": quote["channel"],
                    "native_id": quote["native_id"],
                    "origin": quote["origin"],
                    "display_name": for_print(quote["display_name"]),
                    "original_text": mask(quote["original"]),
                    "printed_text": for_print(quote["excerpt"]),
                    "edited": quote["excerpt"] != quote["original"],
                    "consent": bool(quote["consent"]),
                    "state": quote["state"],
                    "decisions": [
                        {key: decision[key] for key in DECISION_FIELDS}
                        for decision in history[quote["comment_id"]]
                    ],
                    "edition_status": store.STATUS_NAMES[edition["status"]],
                }
            )
    return records


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def edition_csv(db, edition: dict) -> bytes:
    """UTF-8 with BOM (Excel opens it right), one row per quote, decisions as JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for record in quote_records(db, edition):
        record = {
            **record,
            "edited": int(record["edited"]),
            "consent": int(record["consent"]),
            "decisions": json.dumps(record["decisions"], ensure_ascii=False, sort_keys=True),
        }
        writer.writerow([neutralise(record[field]) for field in CSV_FIELDS])
    return out.getvalue().encode("utf-8-sig")


def edition_json(db, edition: dict) -> bytes:
    """The edition and its quotes as JSON: UTF-8 text, sorted keys, print order."""
    data = {
        "edition": {
            key: edition[key]
            for key in ("date", "title", "status", "signed_off_by", "signed_off_at", "printed_at")
        },
        "sections": [
            {"heading": s.heading, "intro": s.intro, "position": number}
            for number, s in enumerate(printable_sections(db, edition), start=1)
        ],
        "quotes": quote_records(db, edition),
    }
    if is_unsigned(edition):
        data["mark"] = UNSIGNED_MARK
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return text.encode("utf-8")
