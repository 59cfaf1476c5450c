"""How bench/scale and bench/statistics print a target's figures: the line of its sizes (rows,
fill time, run time, partial or not), then a table with one row per timed URL or report, its
columns p50 and p95 at size A, at size B and their ratio B/A (when two sizes were measured),
the queries at each size and the answers' statuses; each script adds its own columns (the
target, the flags) after these. Not product code."""

from bench.harness import fmt


def print_sizes(result: dict, fill_note=lambda size: "") -> bool:
    """Print the target's sizes line (``fill_note(size)`` adds to each size's fill time);
    False, after a line saying so, when no size was measured."""
    sizes = result["sizes"]
    if not sizes:
        print(f"\n{result['target']}: no size measured")
        return False
    print(
        f"\n{result['target']} {result['server_version']}: "
        + " -> ".join(
            f"{s['counts']['interactions']:,} interactions / {s['counts']['attached']:,} attached"
            f" / {s['counts']['checkpoints']:,} checkpoints (filled in {s['fill_seconds']:.0f} s"
            f"{fill_note(s)})"
            for s in sizes
        )
        + f"; run {result['seconds'] / 60:.1f} min"
        + (" (PARTIAL: stopped at --max-minutes)" if result["partial"] else "")
    )
    return True


def column_head(first: str, label_width: int, two: bool) -> str:
    """The table's heading, up to its status column."""
    head = f"{first:<{label_width}} {'A p50':>7} {'A p95':>7}"
    if two:
        head += f" {'B p50':>7} {'B p95':>7} {'B/A':>5}"
    return head + f" {'q A':>4}" + (f" {'q B':>4}" if two else "") + "  status"


def columns(label: str, label_width: int, ra: dict, rb: dict, two: bool):
    """A row of the table up to its status column, from the row timed at size A (``ra``) and
    at size B (``rb``), and the ratio B/A of their p50s (None without both)."""
    line = f"{label:<{label_width}} {fmt(ra.get('p50_ms'), 7)} {fmt(ra.get('p95_ms'), 7)}"
    ratio = None
    if two:
        if ra.get("p50_ms") and rb.get("p50_ms"):
            ratio = rb["p50_ms"] / ra["p50_ms"]
        line += f" {fmt(rb.get('p50_ms'), 7)} {fmt(rb.get('p95_ms'), 7)} {fmt(ratio, 5, 2)}"
    line += f" {ra.get('queries', '-'):>4}" + (f" {rb.get('queries', '-'):>4}" if two else "")
    statuses = {str(r.get("status", "-")) for r in ((ra, rb) if two else (ra,))}
    return line + f"  {'/'.join(sorted(statuses)):<6}", ratio
