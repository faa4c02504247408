"""``anpr audit verify``: is the trail, and everything the reports read from it, intact?

The chain: an altered record no longer matches its hash, a deleted one leaves a gap and a
broken link, a reordered one breaks ``seq``/``prev_hash``. Deleting the *tail* of a chain
leaves no gap in the table, so ``verify_store`` also compares the table with the S3 mirror,
whose objects Object Lock (compliance mode) keeps.

What the reports read: transparency figures query the ``byDay`` index, "who accessed plate
X" the per-plate pointer items; neither is hashed. So ``verify_store`` recomputes every
derived attribute (``day_pk``, ``actor_pk``, ``at_sk``, ``action``, ``at_ms``) from the hashed
body, and checks the pointers both ways: every plate a body names has its pointer, every
pointer points to a record whose body names that plate.
"""

from __future__ import annotations

from collections.abc import Iterable

from anpr.accountability.models import (
    GENESIS,
    AuditRecord,
    Problem,
    VerifyReport,
    derived_attributes,
    plates_of,
)
from anpr.accountability.ports import AuditArchive, AuditReader


def verify_chain(records: Iterable[AuditRecord], expected_head: int | None = None) -> VerifyReport:
    """Walk ``records`` in the order given (the table returns them by seq) from the genesis.

    ``expected_head``: the highest seq known from elsewhere (the S3 mirror); records missing
    past the table's last one are a deleted tail.
    """
    problems: list[Problem] = []
    prev_hash, expected, checked = GENESIS, 1, 0
    for r in records:
        checked += 1
        if r.seq < expected:
            problems.append(Problem(seq=r.seq, kind="out_of_order", detail=f"expected seq {expected}"))
        elif r.seq > expected:
            missing = f"{expected}" if r.seq == expected + 1 else f"{expected}..{r.seq - 1}"
            problems.append(Problem(seq=expected, kind="missing", detail=f"records {missing} are gone"))
        if r.prev_hash != prev_hash:
            problems.append(
                Problem(seq=r.seq, kind="broken_link", detail="prev_hash is not the previous record's hash")
            )
        if not r.intact():
            problems.append(Problem(seq=r.seq, kind="altered", detail="content does not match its hash"))
        prev_hash, expected = r.hash, max(expected, r.seq + 1)
    head = expected - 1
    if expected_head is not None and expected_head > head:
        problems.append(
            Problem(
                seq=head + 1,
                kind="missing",
                detail=f"records {head + 1}..{expected_head} are in the archive only",
            )
        )
    return VerifyReport(checked=checked, head_seq=head, head_hash=prev_hash, problems=problems)


def verify_index(records: Iterable[AuditRecord], pointers: Iterable[tuple[str, int]] | None) -> list[Problem]:
    """Derived attributes recomputed from each hashed body, and the plate pointers both ways."""
    problems: list[Problem] = []
    named: dict[int, set[str]] = {}
    for r in records:
        named[r.seq] = plates_of(r.body)
        if r.index is None:
            continue  # not read from a table: nothing stored beside the body
        expected = derived_attributes(r.seq, r.body)
        for attr, value in expected.items():
            stored = r.index.get(attr)
            if stored != value:
                problems.append(
                    Problem(
                        seq=r.seq,
                        kind="index_mismatch",
                        detail=f"{attr} is {stored!r}, its hashed content says {value!r}",
                    )
                )
    if pointers is None:
        return problems
    seen: set[tuple[str, int]] = set()
    for plate, seq in pointers:
        seen.add((plate, seq))
        if seq not in named:
            problems.append(Problem(seq=seq, kind="pointer_orphan", detail=f"P#{plate} points to no record"))
        elif plate not in named[seq]:
            problems.append(
                Problem(seq=seq, kind="pointer_orphan", detail=f"P#{plate} points to a record not naming it")
            )
    for seq, plates in named.items():
        for plate in sorted(plates):
            if (plate, seq) not in seen:
                problems.append(
                    Problem(
                        seq=seq,
                        kind="pointer_missing",
                        detail=f"no P#{plate} pointer: who-accessed misses it",
                    )
                )
    return problems


def verify_store(trail: AuditReader, archive: AuditArchive | None) -> VerifyReport:
    """``verify_chain`` over the table, its index attributes and plate pointers, cross-checked
    with the write-once mirror."""
    archived = {r.seq: r for r in archive.records()} if archive is not None else {}
    records = list(trail.records())
    report = verify_chain(records, expected_head=max(archived, default=None))
    pointers = trail.pointers() if hasattr(trail, "pointers") else None
    report.problems.extend(verify_index(records, pointers))
    if archive is None:
        report.problems.sort(key=lambda p: (p.seq, p.kind))
        return report
    in_table = {r.seq for r in records}
    for r in records:
        mirrored = archived.get(r.seq)
        if mirrored is None:
            report.problems.append(Problem(seq=r.seq, kind="not_archived", detail="no mirror object yet"))
        elif (mirrored.hash, mirrored.body, mirrored.prev_hash) != (r.hash, r.body, r.prev_hash):
            report.problems.append(
                Problem(seq=r.seq, kind="archive_mismatch", detail="table differs from the locked copy")
            )
    for seq in sorted(set(archived) - in_table):
        if seq <= report.head_seq:  # tail deletions are already reported by verify_chain
            report.problems.append(
                Problem(seq=seq, kind="missing", detail="in the archive, deleted from the table")
            )
    report.problems.sort(key=lambda p: (p.seq, p.kind))
    return report
