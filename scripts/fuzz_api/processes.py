"""The processes scripts/fuzz-api starts and how it stops them: a free loopback port for the
server, a signal turned into Interrupted (so the clean-up runs, further signals ignored), and a
process stopped by its id (its process group killed if it does not stop in time)."""

import contextlib
import os
import signal
import socket
import subprocess

HOST = "127.0.0.1"  # loopback only


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Interrupted(BaseException):
    """A signal asked to stop: the clean-up runs, a second signal is ignored meanwhile."""


SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def interrupt(signum, frame):
    for other in SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name)


def stop_process(process: subprocess.Popen | None, first=signal.SIGTERM, wait: float = 15) -> None:
    """Stops a process this script started (and its own process group), by its id."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(first)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # its own session: see start_new_session
        process.wait()
