"""Launcher for ``dedupe.cli`` from a checkout: ``python cli.py cluster seeds/``."""

from dedupe.cli import main

if __name__ == "__main__":
    main()
