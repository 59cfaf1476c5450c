"""What scripts/fuzz-api runs on, beside the script (it puts its own folder first on sys.path,
so this package imports without being installed): the fresh database of a run (database.py),
the processes it starts and stops (processes.py) and the figures read from schemathesis'
reports and the server's logs (figures.py)."""


def log(message: str = "") -> None:
    print(message, flush=True)
