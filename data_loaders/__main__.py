"""python -m data_loaders ingest PATH... (see data_loaders/cli.py for the subcommands)."""

import sys

from data_loaders.cli import main

if __name__ == "__main__":
    sys.exit(main())
