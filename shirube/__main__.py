"""`python -m shirube ...`, the same as the `shirube` command."""

from shirube.cli import main

main()
