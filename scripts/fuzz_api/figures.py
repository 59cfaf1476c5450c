"""The figures of one fuzzing run and their summary: from schemathesis' JSON report the cases
and failures by kind (a 5xx, ST101/ST102; an answer unlike the schema, ST103..ST111, a 5xx with
an undocumented status counted once, from the JUnit report), from gunicorn's access log the
answers by status class and the routes that answered 5xx, from the server's log the exception
behind each 500."""

import json
import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from fuzz_api import log

# schemathesis' failure codes (`schemathesis explain CODE`): a 5xx; an answer unlike the
# schema (status code, content type, headers, body).
SERVER_ERROR_CODES = {"ST101", "ST102"}
SCHEMA_FAILURE_CODES = {f"ST1{n:02d}" for n in range(3, 12)}


def read_figures(
    figures: dict, exit_code: int, report_dir: Path, access_log: Path, server_log: Path
) -> None:
    """Add to ``figures`` what the reports in ``report_dir`` and the two logs say."""
    figures["exit_code"] = exit_code
    report = next((json.loads(path.read_text()) for path in report_dir.glob("json-*.json")), None)
    if report is not None:
        groups = report["failures"] or []
        figures["cases"] = report["test_cases"]["generated"]
        figures["failures"] = {
            f"{group['code']} {group['title']}": group["count"] for group in groups
        }
        figures["server_errors"] = sum(
            group["count"] for group in groups if group["code"] in SERVER_ERROR_CODES
        )
        # A 5xx is an undocumented status code too: counted once, as a server error.
        figures["schema_failures"] = sum(
            group["count"] for group in groups if group["code"] in SCHEMA_FAILURE_CODES
        ) - _undocumented_5xx(report_dir)
        figures["other_failures"] = sum(
            group["count"]
            for group in groups
            if group["code"] not in SERVER_ERROR_CODES | SCHEMA_FAILURE_CODES
        )
        figures["errors"] = {group["title"]: group["count"] for group in report["errors"]}
        figures["stop_reason"] = report["stop_reason"]
    statuses: Counter = Counter()
    five_hundreds: Counter = Counter()
    if access_log.exists():
        for line in access_log.read_text(errors="replace").splitlines():
            status, _, request = line.partition(" ")
            if not re.fullmatch(r"[1-5][0-9][0-9]", status):
                continue  # the rest of a path holding a line break
            statuses[status[:1] + "xx"] += 1
            if status.startswith("5"):
                method, _, path = request.partition(" ")
                five_hundreds[f"{status} {method} {_route(path)}"] += 1
    figures["requests"] = sum(statuses.values())
    figures["statuses"] = dict(sorted(statuses.items()))
    figures["5xx"] = statuses.get("5xx", 0)
    figures["5xx_routes"] = five_hundreds
    figures["exceptions"] = _logged_exceptions(server_log)


def _undocumented_5xx(report_dir: Path) -> int:
    """How many failing cases of the JUnit report are a server error and, for the same
    answer, an undocumented status code."""
    found = 0
    for path in report_dir.glob("junit-*.xml"):
        for failure in ElementTree.parse(path).iter("failure"):
            for case in re.split(r"^\d+\. Test Case ID", failure.text or "", flags=re.M):
                codes = set(re.findall(r"^- (ST\d+)", case, flags=re.M))
                found += "ST103" in codes and bool(codes & SERVER_ERROR_CODES)
    return found


def _route(path: str) -> str:
    """A path with its numbers as {id}, to group the answers by route."""
    return re.sub(r"/-?[0-9]+(?=/)", "/{id}", path.split("?", 1)[0])


def _logged_exceptions(server_log: Path) -> Counter:
    """The exception behind each 500, from the tracebacks Django logged after "Internal Server
    Error": {"Type: message": count}. Of a chained traceback, the last (the one that escaped)."""
    found: Counter = Counter()
    if not server_log.exists():
        return found
    last = None
    in_error = in_traceback = False
    for line in server_log.read_text(errors="replace").splitlines():
        if line.startswith(("Internal Server Error:", "Bad Request:", "Forbidden", "Not Found")):
            if last:
                found[last] += 1
            last, in_error = None, line.startswith("Internal Server Error:")
        elif in_error and line.startswith("Traceback (most recent call last)"):
            in_traceback = True
        elif in_traceback and line and not line.startswith((" ", "\t")):
            last, in_traceback = line[:160], False
    if last:
        found[last] += 1
    return found


def print_summary(results: list[dict]) -> None:
    log("\n==> fuzz-api: summary")
    for figures in results:
        status = "ok" if figures["ok"] else "FAILED"
        if "error" in figures:
            log(f"  {figures['database']}: FAILED before the end: {figures['error']}")
            continue
        log(
            f"  {figures['database']}: {status} in {figures['seconds']} s: "
            f"{figures.get('cases', '?')} cases, {figures['requests']} requests, "
            f"{figures['5xx']} 5xx answers ({figures.get('server_errors', '?')} distinct), "
            f"{figures.get('schema_failures', '?')} schema failures"
            + (
                f", {figures['other_failures']} other failures"
                if figures.get("other_failures")
                else ""
            )
        )
        log(f"    answers: {figures['statuses']}")
        for title, count in figures.get("failures", {}).items():
            log(f"    {count:4d}  {title}")
        for title, count in figures.get("errors", {}).items():
            log(f"    {count:4d}  error: {title}")
        for route, count in figures["5xx_routes"].most_common():
            log(f"    {count:4d}  answered {route}")
        for exception, count in figures["exceptions"].most_common():
            log(f"    {count:4d}  logged {exception}")
        if figures.get("exit_code") == -1:
            log("    stopped by the time limit")
        if figures.get("stop_reason") not in (None, "completed"):
            log(f"    schemathesis stopped: {figures['stop_reason']}")
