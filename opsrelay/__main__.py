"""``python -m opsrelay``."""

from opsrelay.cli import main

main()
