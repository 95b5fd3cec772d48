"""The stored duplicate keys, held in memory by the process that scores, for look-ups.

Finding a new comment's duplicates is a dozen point look-ups (four SimHash bands, nine
one-edit keys, the exact key). Against B-tree indexes on disk that cost ~250 µs a comment
at a million stored, and writing each comment into seven random-keyed indexes dirtied ten
pages a comment. Here the keys are sorted numpy arrays, looked up vectorised, and the
database keeps one appended dup_keys row per comment: ingest at a million stored went
from ~1,100 to over 2,000 comments/s (bench/RESULTS.md).

The index is a cache. Every insert or delete on dup_keys (from any connection or process)
sets dup_state.token to a new random value by trigger; a holder whose token differs from
the database's reloads (about 2 s for a million comments). The holder updates the token
after its own writes inside the same transaction, so a rollback also forces a reload.
Memory: about 100 bytes a comment (a million comments: ~110 MB).
"""

from __future__ import annotations

import threading
from array import array

import numpy as np

BAND_SHIFTS = (0, 16, 32, 48)
EDIT_ENTRY = np.dtype([("key", "<i8"), ("bits", "<u8")])  # one-edit key, bitmap of its rest
EDITS_PER_TEXT = 3
MERGE_AT = 50_000  # recent keys kept in dicts before they are sorted into the arrays


class KeyTable:
    """Many 64-bit keys to slots: sorted arrays, plus a dict of keys added since sorting."""

    def __init__(self, keys: np.ndarray, slots: np.ndarray, extra: np.ndarray | None = None):
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.slots = slots[order].astype(np.int64)
        self.extra = None if extra is None else extra[order]
        self.recent: dict[int, list[tuple[int, int]]] = {}
        self.recent_count = 0

    def add(self, key: int, slot: int, extra: int = 0) -> None:
        self.recent.setdefault(key, []).append((slot, extra))
        self.recent_count += 1

    def find(self, probes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(slots, extras, probe position) of every entry under any of the probe keys."""
        wanted = np.array(probes, dtype=np.int64)
        low = np.searchsorted(self.keys, wanted, "left").tolist()
        high = np.searchsorted(self.keys, wanted, "right").tolist()
        slots, extras, which = [], [], []
        for position, (start, end) in enumerate(zip(low, high, strict=True)):
            if end > start:
                slots.append(self.slots[start:end])
                if self.extra is not None:
                    extras.append(self.extra[start:end])
                which.append(np.full(end - start, position))
        for position, probe in enumerate(probes):
            for slot, extra in self.recent.get(probe, ()):
                slots.append(np.array([slot]))
                extras.append(np.array([extra], dtype=np.uint64))
                which.append(np.array([position]))
        if not slots:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty.astype(np.uint64), empty
        return (
            np.concatenate(slots),
            np.concatenate(extras) if extras else np.empty(0, dtype=np.uint64),
            np.concatenate(which),
        )

    def merged(self) -> KeyTable:
        """The same entries with the recent ones sorted in."""
        if not self.recent:
            return self
        pairs = [(key, slot, extra) for key, found in self.recent.items() for slot, extra in found]
        keys = np.concatenate([self.keys, np.array([p[0] for p in pairs], dtype=np.int64)])
        slots = np.concatenate([self.slots, np.array([p[1] for p in pairs], dtype=np.int64)])
        extra = None
        if self.extra is not None:
            extra = np.concatenate([self.extra, np.array([p[2] for p in pairs], dtype=np.uint64)])
        return KeyTable(keys, slots, extra)


def band_keys(simhash: int) -> list[int]:
    """One hash's four 16-bit bands as keys: band number << 16 | band value."""
    return [((simhash >> shift) & 0xFFFF) | (band << 16) for band, shift in enumerate(BAND_SHIFTS)]


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
        self.token = token
        self.ids = array("q", ids)
        self.sims = array("Q", sims)
        self.alive = bytearray(b"\x01" * len(self.ids))
        self.max_id = max(self.ids, default=0)
        slots = np.arange(len(self.ids), dtype=np.int64)
        self.exact = KeyTable(np.array(exact, dtype=np.int64), slots)
        near = slots[~np.array(short, dtype=bool)] if len(slots) else slots
        sim_view = np.frombuffer(self.sims, dtype=np.uint64)
        self.bands = KeyTable(_band_keys(sim_view[near]), np.tile(near, len(BAND_SHIFTS)))
        entries = np.frombuffer(edits, dtype=EDIT_ENTRY)
        self.edits = KeyTable(
            entries["key"].copy(), np.repeat(near, EDITS_PER_TEXT), entries["bits"].copy()
        )

    @classmethod
    def load(cls, db) -> DuplicateIndex:
        """Read every stored key (one pass over dup_keys, in comment order)."""
        token = current_token(db)
        ids, exact, sims, short, edits = [], [], [], [], []
        for comment_id, exact_key, simhash, is_short, edit in db.conn.execute(
            "SELECT comment_id, exact_key, simhash, short, edit FROM dup_keys"
        ):
            ids.append(comment_id)
            exact.append(exact_int(exact_key))
            sims.append(simhash & 0xFFFF_FFFF_FFFF_FFFF)
            short.append(bool(is_short))
            if not is_short:
                edits.append(edit)
        return cls(ids, exact, sims, short, b"".join(edits), token)

    def twin(self, exact: int) -> int | None:
        """A live comment with this exact key (to be confirmed against the database)."""
        slots, _, _ = self.exact.find([exact])
        for slot in slots.tolist():
            if self.alive[slot]:
                return self.ids[slot]
        return None

    def near(self, simhash: int, max_distance: int) -> set[int]:
        """Comments whose SimHash is within ``max_distance`` bits (exact, not a candidate)."""
        slots, _, _ = self.bands.find(band_keys(simhash))
        if not len(slots):
            return set()
        sims = np.frombuffer(self.sims, dtype=np.uint64)[slots]
        close = slots[np.bitwise_count(sims ^ np.uint64(simhash)) <= max_distance]
        return {self.ids[slot] for slot in close.tolist() if self.alive[slot]}

    def one_edit_candidates(self, probes: list[tuple[int, int]]) -> set[int]:
        """Comments filed under a probe key whose rest could be one edit from the probe's.

        One edit changes at most two bits of a rest's character bitmap, so more is a sure
        miss; the survivors are checked against the texts.
        """
        slots, bits, which = self.edits.find([key for key, _ in probes])
        if not len(slots):
            return set()
        wanted = np.array([probe_bits for _, probe_bits in probes], dtype=np.uint64)[which]
        close = slots[np.bitwise_count(bits ^ wanted) <= 2]
        return {self.ids[slot] for slot in close.tolist() if self.alive[slot]}

    def add(self, comment_id: int, exact: int, simhash: int, short: bool, edits: bytes) -> None:
        """File one comment's keys (`edits`: its stored one-edit blob, None when short)."""
        slot = len(self.ids)
        self.ids.append(comment_id)
        self.sims.append(simhash)
        self.alive.append(1)
        self.max_id = max(self.max_id, comment_id)
        self.exact.add(exact, slot)
        if not short:
            for key in band_keys(simhash):
                self.bands.add(key, slot)
            for key, bits in np.frombuffer(edits, dtype=EDIT_ENTRY).tolist():
                self.edits.add(key, slot, bits)
        if self.exact.recent_count >= MERGE_AT:
            self.exact, self.bands, self.edits = (
                self.exact.merged(),
                self.bands.merged(),
                self.edits.merged(),
            )

    def remove(self, comment_ids: list[int]) -> None:
        """Forget these comments' keys (they are keyed again, or gone)."""
        if not comment_ids or min(comment_ids) > self.max_id:
            return
        ids = np.frombuffer(self.ids, dtype=np.int64)
        for slot in np.flatnonzero(np.isin(ids, np.array(comment_ids, dtype=np.int64))).tolist():
            self.alive[slot] = 0


def exact_int(exact_key: str) -> int:
    """The first 64 bits of an exact key (a hex digest), as a signed integer."""
    return int.from_bytes(bytes.fromhex(exact_key[:16]), "little", signed=True)


def current_token(db) -> bytes | None:
    """The database's dup_state token: changes with every insert or delete on dup_keys."""
    row = db.conn.execute("SELECT token FROM dup_state WHERE id = 1").fetchone()
    return row[0] if row else None


_HELD: dict[str, DuplicateIndex] = {}
_HELD_LOCK = threading.Lock()


def _database_key(db) -> str:
    file = db.conn.execute("PRAGMA database_list").fetchone()[2]
    return file or f"memory:{id(db.conn)}"


def index_for(db) -> DuplicateIndex:
    """This process's index of the database's keys, reloaded if anyone changed them since.

    Call inside the write transaction that will use it, so nobody writes in between.
    """
    key = _database_key(db)
    with _HELD_LOCK:
        held = _HELD.get(key)
        if held is None or held.token != current_token(db):
            held = _HELD[key] = DuplicateIndex.load(db)
        return held
