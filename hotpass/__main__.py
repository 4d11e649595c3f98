"""`python -m hotpass`: the command line (same as the `hotpass` script)."""

from hotpass.cli import main

main()
