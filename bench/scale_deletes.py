"""bench/scale's timing of POST /api/v1/checkpoints/bulk-delete/ at each size, inside the child:
of COLD_DELETE checkpoints with no history, and of HOT_DELETE hot checkpoints (the hottest
consecutive ranks holding at most HOT_DELETE_SHARE of the attached rows). Each runs inside a
transaction rolled back afterwards (so the data stays for the next size; the commit itself is
not timed), after checking that every history row kept its copies with checkpoint_id NULL;
the query counts leave out that transaction's SAVEPOINT statements. Also the lines that print
these figures, in the parent. Not product code."""

import time

from bench.harness import fmt, log

HOT_DELETE = 100
COLD_DELETE = 1000
HOT_DELETE_SHARE = 0.05  # of the attached rows: 200,000 of 4M


def attachment_counts() -> list[tuple[int, int]]:
    """(checkpoint id, attached rows), most attached first."""
    from django.db.models import Count

    from interactions.models import InteractionCheckpoint

    return list(
        InteractionCheckpoint.objects.filter(checkpoint__isnull=False)
        .values_list("checkpoint_id")
        .annotate(rows=Count("id"))
        .order_by("-rows", "checkpoint_id")
    )


def time_bulk_deletes(client, counts: dict, deadline: float) -> list[dict]:
    """POST /api/v1/checkpoints/bulk-delete/ of checkpoints without history, then of hot ones;
    each inside a transaction rolled back afterwards."""
    from django.db.models import Exists, OuterRef

    from checkpoints.models import Checkpoint
    from interactions.models import InteractionCheckpoint

    if time.time() > deadline:
        return []
    unused = list(
        Checkpoint.objects.filter(
            ~Exists(InteractionCheckpoint.objects.filter(checkpoint=OuterRef("pk")))
        )
        .order_by("id")
        .values_list("id", flat=True)[:COLD_DELETE]
    )
    ranked = attachment_counts()
    wanted = HOT_DELETE_SHARE * counts["attached"]
    # The hottest window of HOT_DELETE consecutive ranks holding at most `wanted` rows.
    start, window = 0, sum(rows for _, rows in ranked[:HOT_DELETE])
    while window > wanted and start + HOT_DELETE < len(ranked):
        window += ranked[start + HOT_DELETE][1] - ranked[start][1]
        start += 1
    hot = [pk for pk, _ in ranked[start : start + HOT_DELETE]]
    runs = []
    for label, ids, ranks in (
        ("bulk delete, no history", unused, None),
        ("bulk delete, hot", hot, f"{start + 1}..{start + len(hot)}"),
    ):
        if ids and time.time() < deadline:
            runs.append({**bulk_delete(client, label, ids), "ranks": ranks})
    return runs


def bulk_delete(client, label: str, ids: list[int]) -> dict:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from checkpoints.models import Checkpoint
    from interactions.models import InteractionCheckpoint

    references = list(Checkpoint.objects.filter(pk__in=ids).values_list("reference", flat=True))
    history = InteractionCheckpoint.objects.filter(reference__in=references)
    rows = history.count()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.post(
                "/api/v1/checkpoints/bulk-delete/", {"ids": ids}, content_type="application/json"
            )
            elapsed = (time.perf_counter() - began) * 1000
        savepoints = sum(
            1
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO"))
        )
        # Every row kept with its copies, its link now naming no checkpoint (read as empty).
        kept = (
            history.exclude(name="")
            .exclude(checkpoint_id__in=Checkpoint.objects.values("pk"))
            .count()
        )
        verified = (
            response.status_code == 200
            and response.json().get("deleted") == len(ids)
            and not Checkpoint.objects.filter(pk__in=ids).exists()
            and kept == rows
        )
        transaction.set_rollback(True)
    result = {
        "label": label,
        "checkpoints": len(ids),
        "status": response.status_code,
        "ms": elapsed,
        "queries": len(captured) - savepoints,
        "history_rows": rows,
        "history_kept": kept,
        "verified": verified,
    }
    log(
        f"  {label} ({len(ids)}): {response.status_code} {elapsed:.0f} ms, "
        f"{result['queries']} queries, "
        f"{rows} history rows, {'verified' if verified else 'NOT VERIFIED'}"
    )
    return result


def print_deletes(a: dict, b: dict, two: bool) -> None:
    """One line per bulk delete: its figures at size A and B, their ratio, the copies kept."""
    for index in range(max(len(a["deletes"]), len(b["deletes"]))):
        da = a["deletes"][index] if index < len(a["deletes"]) else {}
        db = b["deletes"][index] if index < len(b["deletes"]) and two else {}
        ratio = db["ms"] / da["ms"] if da.get("ms") and db.get("ms") else None

        def one(d: dict, name: str) -> str:
            if not d:
                return f"{name} not measured"
            ranks = f" ranks {d['ranks']}" if d.get("ranks") else ""
            return (
                f"{name} {d.get('checkpoints', '-')} checkpoints{ranks}, "
                f"{d.get('history_rows', '-'):,} history rows: {fmt(d.get('ms'), 0, 0)} ms, "
                f"{d.get('queries', '-')} queries, status {d.get('status', '-')}"
            )

        print(
            f"{da.get('label') or db.get('label')}: {one(da, 'A')}"
            + (f"; {one(db, 'B')}; B/A {fmt(ratio, 0, 2)}" if two else "")
            + "; copies kept: "
            + ("yes" if all(d.get("verified") for d in (da, db) if d) else "NO")
        )
