"""``python -m kicklab``: the ``kicklab`` command."""

from kicklab.cli import main

main()
