"""The stored duplicate keys, held in memory by the process that scores, for look-ups.

Finding a new comment's duplicates is a dozen point look-ups (four SimHash bands, nine
one-edit keys, the exact key). Against B-tree indexes on disk they cost ~250 µs a comment
at a million stored, and writing each comment into seven random-keyed indexes dirtied ten
pages a comment. Here the keys are sorted numpy arrays, looked up for a whole batch at
once, and the database keeps one appended dup_keys row per comment (bench/RESULTS.md:
ingest on top of a million stored went from ~1,100 to ~2,100 comments/s).

The index is a cache. Every insert, update or delete on dup_keys (from any connection or
process) gives dup_state.token a new random value by trigger; a holder whose token differs
from the database's reloads it. The holder takes the token after its own writes inside
the same transaction, so a rollback also forces a reload. A million comments: ~135 MB,
loaded in ~3 s.
"""

from __future__ import annotations

import ctypes
import threading
from array import array

import numpy as np

from moderation.scoring.duplicates import BAND_SHIFTS, band_keys
from moderation.storage import database_key

EDIT_ENTRY = np.dtype([("key", "<i8"), ("bits", "<u8")])  # one-edit key, bitmap of its rest
EDITS_PER_TEXT = 3
_ENTRY = np.dtype([("key", "<i8"), ("slot", "<i8"), ("bits", "<u8")])
_PROBE = np.dtype([("position", "<i8"), ("key", "<i8"), ("bits", "<u8")])
MERGE_AT = 50_000  # recent keys kept in dicts before they are sorted into the arrays
# Entries handed back per probe key, the newest first: a posting campaign files thousands of
# comments under one key, and every probe meeting all of them made a batch cost batch ×
# campaign (16,000 copies: 4 GB). Any live twin will do for an exact key; near keys keep
# enough for the ~15 chance band collisions a million stored comments give each band value.
TWIN_CANDIDATES = 4
NEAR_CANDIDATES = 32


class KeyTable:
    """Many 64-bit keys to slots (each with an optional 64-bit extra): sorted arrays, plus a
    dict of the keys added since they were sorted."""

    def __init__(self, keys: np.ndarray, slots: np.ndarray, extra: np.ndarray | None = None):
        order = np.argsort(keys, kind="stable")  # a key's entries stay oldest to newest
        self.keys = keys[order]
        self.slots = slots[order].astype(np.int32)  # 2**31 comments: far beyond one newsroom
        self.extra = None if extra is None else extra[order]
        # key: extra << 32 | slot, or a list of them for a key filed more than once. An int is
        # nothing for the garbage collector to walk; a list per key (six a comment) made every
        # full collection walk them all, slower still when they lay scattered in memory.
        self.recent: dict[int, int | list[int]] = {}
        self.recent_count = 0

    def add(self, key: int, slot: int, extra: int = 0) -> None:
        entry = extra << 32 | slot
        held = self.recent.get(key)
        if held is None:
            self.recent[key] = entry
        elif isinstance(held, int):
            self.recent[key] = [held, entry]
        else:
            held.append(entry)
        self.recent_count += 1

    def find(
        self, probes: np.ndarray, limit: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(probe number, slot, extra) for the entries filed under each probe key: the newest
        `limit` of the sorted arrays and the newest `limit` of the recent ones."""
        high = np.searchsorted(self.keys, probes, "right")
        low = np.maximum(np.searchsorted(self.keys, probes, "left"), high - limit)
        counts = high - low
        owner = np.repeat(np.arange(len(probes)), counts)
        first = np.repeat(low - (np.cumsum(counts) - counts), counts)
        positions = first + np.arange(len(owner))
        slots = self.slots[positions].astype(np.int64)
        extra = None if self.extra is None else self.extra[positions]
        if self.recent:
            found = [
                (number, entry & 0xFFFF_FFFF, entry >> 32)
                for number, probe in enumerate(probes.tolist())
                if (held := self.recent.get(probe)) is not None
                for entry in _entries(held)[-limit:]
            ]
            if found:
                more = np.array(found, dtype=_ENTRY)  # (probe number, slot, bits)
                owner = np.concatenate([owner, more["key"]])
                slots = np.concatenate([slots, more["slot"]])
                extra = None if extra is None else np.concatenate([extra, more["bits"]])
        return owner, slots, extra

    def merged(self) -> KeyTable:
        """The same entries with the recent ones sorted in."""
        if not self.recent:
            return self
        found = np.array(
            [
                (key, entry & 0xFFFF_FFFF, entry >> 32)
                for key, entries in self.recent.items()
                for entry in _entries(entries)
            ],
            dtype=_ENTRY,
        )
        return KeyTable(
            np.concatenate([self.keys, found["key"]]),
            np.concatenate([self.slots, found["slot"].astype(np.int32)]),
            None if self.extra is None else np.concatenate([self.extra, found["bits"]]),
        )


def _entries(held: int | list[int]) -> tuple[int] | list[int]:
    """The entries filed under one recent key."""
    return (held,) if isinstance(held, int) else held


def _band_keys(sims: np.ndarray) -> np.ndarray:
    """Each hash's four bands, as keys (band number << 16 | band value), band by band."""
    return np.concatenate(
        [
            ((sims >> np.uint64(shift)) & np.uint64(0xFFFF)).astype(np.int64) | (band << 16)
            for band, shift in enumerate(BAND_SHIFTS)
        ]
    )


class DuplicateIndex:
    """Every stored comment's exact key, SimHash bands and one-edit keys, by slot."""

    def __init__(self, ids, exact, sims, short, edits: bytes, token: bytes | None):
        """`ids`, `exact` (int64), `sims` (uint64), `short` (bool) are aligned arrays;
        `edits` holds the one-edit blobs of the comments that are not short, in order."""
        self.token = token
        self.ids = array("q", np.asarray(ids, dtype=np.int64).tobytes())
        self.sims = array("Q", np.asarray(sims, dtype=np.uint64).tobytes())
        self.alive = bytearray(b"\x01" * len(self.ids))
        self.max_id = max(self.ids, default=0)
        slots = np.arange(len(self.ids), dtype=np.int64)
        self.exact = KeyTable(np.asarray(exact, dtype=np.int64), slots)
        near = slots[~np.asarray(short, dtype=bool)]
        near_sims = np.asarray(sims, dtype=np.uint64)[near]
        self.bands = KeyTable(_band_keys(near_sims), np.tile(near, len(BAND_SHIFTS)))
        entries = np.frombuffer(edits, dtype=EDIT_ENTRY)
        self.edits = KeyTable(
            entries["key"].copy(), np.repeat(near, EDITS_PER_TEXT), entries["bits"].copy()
        )

    @classmethod
    def load(cls, db) -> DuplicateIndex:
        """Read every stored key (one pass over dup_keys, in comment order)."""
        token = current_token(db)
        ids, exact, sims, short, edits = (array("q"), [], array("q"), bytearray(), [])
        rows = db.conn.execute(
            "SELECT comment_id, substr(exact_key, 1, 16), simhash, short, edit FROM dup_keys"
        )
        while chunk := rows.fetchmany(10_000):  # columns a chunk at a time: no million tuples
            chunk_ids, chunk_exact, chunk_sims, chunk_short, chunk_edits = zip(*chunk, strict=True)
            ids.extend(chunk_ids)
            exact.append(bytes.fromhex("".join(chunk_exact)))
            sims.extend(chunk_sims)
            short.extend(chunk_short)
            edits.append(b"".join(edit for edit in chunk_edits if edit is not None))
        return cls(
            np.frombuffer(ids, dtype=np.int64),
            np.frombuffer(b"".join(exact), dtype="<i8"),
            np.frombuffer(sims, dtype=np.int64).view(np.uint64),
            np.frombuffer(short, dtype=np.uint8),
            b"".join(edits),
            token,
        )

    def _live(self, owner: np.ndarray, slots: np.ndarray, keep: np.ndarray | None = None):
        alive = np.frombuffer(self.alive, dtype=np.bool_)[slots]
        keep = alive if keep is None else keep & alive
        return owner[keep], np.frombuffer(self.ids, dtype=np.int64)[slots[keep]]

    def twins(self, exact: list[int]) -> dict[int, int]:
        """{batch position: a live stored comment with that exact key} (to be confirmed)."""
        owner, slots, _ = self.exact.find(np.array(exact, dtype=np.int64), TWIN_CANDIDATES)
        owner, ids = self._live(owner, slots)
        positions, first = np.unique(owner, return_index=True)
        return dict(zip(positions.tolist(), ids[first].tolist(), strict=True))

    def near(self, sims: list[int], max_distance: int) -> list[tuple[int, int]]:
        """(batch position, stored comment) for hashes within ``max_distance`` bits."""
        probes = np.array([key for value in sims for key in band_keys(value)], dtype=np.int64)
        owner, slots, _ = self.bands.find(probes, NEAR_CANDIDATES)
        owner //= len(BAND_SHIFTS)
        wanted = np.array(sims, dtype=np.uint64)[owner]
        stored = np.frombuffer(self.sims, dtype=np.uint64)[slots]
        owner, ids = self._live(owner, slots, np.bitwise_count(stored ^ wanted) <= max_distance)
        return list(zip(owner.tolist(), ids.tolist(), strict=True))

    def one_edit_candidates(self, probes: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
        """(batch position, stored comment) filed under a probe (position, key, rest bitmap)
        whose rest could be one edit from the probe's.

        One edit changes at most two bits of a rest's character bitmap, so more is a sure
        miss; the survivors are checked against the texts.
        """
        wanted = np.array(probes, dtype=_PROBE)
        number, slots, stored_bits = self.edits.find(wanted["key"], NEAR_CANDIDATES)
        close = np.bitwise_count(stored_bits ^ wanted["bits"][number]) <= 2
        owner, ids = self._live(wanted["position"][number], slots, close)
        return list(zip(owner.tolist(), ids.tolist(), strict=True))

    def add(self, comment_id: int, exact: int, simhash: int, short: bool, edit_keys) -> None:
        """File one comment's keys (`edit_keys`: its (one-edit key, rest bitmap) pairs)."""
        slot = len(self.ids)
        self.ids.append(comment_id)
        self.sims.append(simhash)
        self.alive.append(1)
        self.max_id = max(self.max_id, comment_id)
        self.exact.add(exact, slot)
        if not short:
            for key in band_keys(simhash):
                self.bands.add(key, slot)
            for key, bits in edit_keys:
                self.edits.add(key, slot, bits)
        if self.exact.recent_count >= MERGE_AT:
            self.exact, self.bands, self.edits = (
                self.exact.merged(),
                self.bands.merged(),
                self.edits.merged(),
            )

    def remove(self, comment_ids: list[int]) -> None:
        """Forget these comments' keys (they are keyed again, or gone)."""
        ids = np.frombuffer(self.ids, dtype=np.int64)
        for slot in np.flatnonzero(np.isin(ids, np.array(comment_ids, dtype=np.int64))).tolist():
            self.alive[slot] = 0


def _return_freed_memory() -> None:
    """Hand the load's freed temporaries back to the OS: glibc keeps freed heap for reuse,
    which left ~190 MB of a million-comment load resident on top of the ~135 MB index."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def current_token(db) -> bytes | None:
    """The database's dup_state token: changes with every insert, update or delete on
    dup_keys."""
    row = db.conn.execute("SELECT token FROM dup_state WHERE id = 1").fetchone()
    return row[0] if row else None


HELD_FILES = 4  # indexes kept per process, one per database file, oldest dropped first
_HELD: dict[str, DuplicateIndex] = {}
_HELD_LOCK = threading.Lock()


def index_for(db) -> DuplicateIndex:
    """This process's index of the database's keys, reloaded if anyone changed them since.

    Call inside the write transaction that will use it, so nobody writes in between.
    """
    key = database_key(db)
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None or held.token != current_token(db):
            _HELD.pop(key, None)
            while len(_HELD) >= HELD_FILES:  # one file in service; tests open hundreds
                _HELD.pop(next(iter(_HELD)))
            held = _HELD[key] = DuplicateIndex.load(db)
            _return_freed_memory()
        return held


def warm(db) -> None:
    """Load the index ahead of the first batch, in a read transaction (one snapshot for the
    token and the rows), so the first batch does not hold the write lock while it loads."""
    db.conn.execute("BEGIN")
    try:
        index_for(db)
    finally:
        db.conn.execute("COMMIT")
