"""bench/attach's load: N keep-alive clients (http.client, one thread each) posting
{"checkpoint": ID} for a bounded time, each request a pair (interaction, checkpoint) never used
before, and the figures of a run (requests, requests/s, p50, p99 and mean latency, statuses).
Not product code."""

import http.client
import json
import statistics
import threading
import time

from bench.attach_servers import HOST
from bench.measure import percentile


class Pairs:
    """Hands out (interaction, checkpoint) pairs never used before, thread-safely."""

    def __init__(self, interactions: list[int], checkpoints: list[int]):
        self.interactions, self.checkpoints = interactions, checkpoints
        self.next = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[int, int]:
        with self.lock:
            index = self.next
            self.next += 1
        interaction = self.interactions[(index // len(self.checkpoints)) % len(self.interactions)]
        return interaction, self.checkpoints[index % len(self.checkpoints)]


def drive(port: int, path_of, headers: dict, pairs: Pairs, clients: int, seconds: float):
    """Clients post until the deadline; returns (latencies in s, statuses, elapsed s)."""
    start_barrier = threading.Barrier(clients + 1)
    results: list[tuple[list[float], dict[int, int]]] = []
    lock = threading.Lock()
    deadline_box: list[float] = []

    def client() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        start_barrier.wait()
        deadline = deadline_box[0]
        while time.perf_counter() < deadline:
            interaction, checkpoint = pairs.take()
            body = json.dumps({"checkpoint": checkpoint})
            began = time.perf_counter()
            try:
                conn.request("POST", path_of(interaction), body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
        conn.close()
        with lock:
            results.append((latencies, statuses))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    deadline_box.append(time.perf_counter() + seconds)
    began = time.perf_counter()
    start_barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + 15)
    elapsed = time.perf_counter() - began
    latencies = [value for lats, _ in results for value in lats]
    statuses: dict[int, int] = {}
    for _, counts in results:
        for status, count in counts.items():
            statuses[status] = statuses.get(status, 0) + count
    return latencies, statuses, elapsed


def summary(name: str, latencies, statuses, elapsed) -> dict:
    return {
        "name": name,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "statuses": dict(sorted(statuses.items())),
    }
