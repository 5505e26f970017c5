"""The data plane: what a volume holds is the journal of writes made to it.

Every write has a fabric-wide sequence number, a time and a size. A volume's journal is its own
writes on top of a frozen point of another journal (the snapshot or volume it was copied from),
so snapshots, replicas and copies share history instead of copying it, and a point is cheap to
take. Each point carries a cumulative digest over every write it holds, in order: two volumes or
snapshots hold exactly the same writes exactly when their digests are equal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

_EMPTY_DIGEST = hashlib.sha256(b"draas-journal").digest()


@dataclass(frozen=True)
class Write:
    """One write, as the journal records it."""

    sequence: int
    time: float
    size: int
    # Digest of every write up to and including this one.
    digest: bytes


@dataclass(frozen=True)
class JournalPoint:
    """A frozen view of a journal: its first `length` own writes on top of its base."""

    journal: Journal
    length: int

    @property
    def newest(self) -> Write | None:
        """The newest write held, or None for an empty volume."""
        if self.length:
            return self.journal.writes[self.length - 1]
        return self.journal.base.newest if self.journal.base else None

    @property
    def digest(self) -> bytes:
        newest = self.newest
        return newest.digest if newest else _EMPTY_DIGEST

    @property
    def count(self) -> int:
        """How many writes are held in all."""
        return self.length + (self.journal.base.count if self.journal.base else 0)

    @property
    def written_bytes(self) -> int:
        """Bytes written in all (the data a first full replication moves)."""
        own = self.journal.cumulative_bytes[self.length - 1] if self.length else 0
        return own + (self.journal.base.written_bytes if self.journal.base else 0)

    def sequences(self) -> list[int]:
        """Sequence numbers of every write held, oldest first (for tests and diagnostics)."""
        inherited = self.journal.base.sequences() if self.journal.base else []
        return inherited + [w.sequence for w in self.journal.writes[: self.length]]

    def describe(self) -> dict[str, object]:
        """What the control API reports: which write is the newest, how many, the digest."""
        newest = self.newest
        return {
            "count": self.count,
            "written_bytes": self.written_bytes,
            "digest": self.digest.hex(),
            "newest": None
            if newest is None
            else {"sequence": newest.sequence, "time": newest.time, "size": newest.size},
        }


@dataclass(eq=False)
class Journal:
    """The writes of one volume, after its base point."""

    base: JournalPoint | None = None
    writes: list[Write] = field(default_factory=list)
    cumulative_bytes: list[int] = field(default_factory=list)

    def append(self, sequence: int, time: float, size: int) -> Write:
        """Records a write; the caller provides the fabric-wide sequence and time."""
        previous = self.point().digest
        digest = hashlib.sha256(
            previous + sequence.to_bytes(8, "big") + int(time * 1e6).to_bytes(8, "big")
        ).digest()
        write = Write(sequence, time, size, digest)
        self.writes.append(write)
        total = self.cumulative_bytes[-1] if self.cumulative_bytes else 0
        self.cumulative_bytes.append(total + size)
        return write

    def point(self) -> JournalPoint:
        """The journal as it is now, frozen."""
        return JournalPoint(self, len(self.writes))

    @staticmethod
    def copy_of(point: JournalPoint | None) -> Journal:
        """A new journal holding exactly what `point` holds (a copy, a clone, a replica)."""
        return Journal(base=point if point is not None and point.count else None)
