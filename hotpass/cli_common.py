"""What every part of the command line shares: who is running it."""

from __future__ import annotations

import getpass


def login_name() -> str:
    """The name of the person at the terminal (recorded as the reviewer or user), or "unknown"."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
