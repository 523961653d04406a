"""python -m data_loaders ingest PATH... (see data_loaders/cli.py for the subcommands)."""

import signal
import sys

from data_loaders.cli import main


def _stop(signum: int, _frame) -> None:
    # SIGTERM ends the run like Ctrl-C: the clean-up runs (the parse's child is killed and its
    # temporary folder, which holds the file, removed) instead of the process vanishing.
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
