"""One exception family for Hotpass.

Only I/O failures and programming errors raise; problems found *in* data are
findings (see :mod:`hotpass.findings`). Every message names the file, sheet,
row or column it is about, so the CLI and the workbench can show it as is.
"""

from __future__ import annotations


class HotpassError(Exception):
    """Base class: anything Hotpass raises on purpose."""


class ProfileError(HotpassError):
    """A profile is invalid; the message lists every problem with its key path."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"profile {source} has {len(self.problems)} problem(s):\n{lines}")


class InputFileError(HotpassError):
    """An input file cannot be read: corrupt, encrypted, mislabelled, hostile or too big."""

    def __init__(self, path: str, reason: str, sheet: str | None = None):
        self.path = path
        self.reason = reason
        self.sheet = sheet
        where = f"{path}" + (f", sheet {sheet!r}" if sheet else "")
        super().__init__(f"{where}: {reason}")


class MappingError(HotpassError):
    """A saved column mapping does not fit the sheet it is applied to."""


class WorkspaceError(HotpassError):
    """The workspace cannot be opened or written."""


class ExportError(HotpassError):
    """A deliverable cannot be written."""


class PublishBlocked(HotpassError):
    """Blocking expectations failed, so the deliverable was not published (CLI exit 2)."""

    def __init__(self, failures: list[tuple[str, str]]):
        self.failures = list(failures)  # (expectation id, what failed)
        named = "; ".join(f"{eid} ({what})" for eid, what in self.failures)
        super().__init__(
            f"not published: blocking expectation(s) failed: {named}. Fix the data, or publish "
            "anyway with a written reason (--override-gate REASON)"
        )


class UserError(HotpassError):
    """A workbench user cannot be added, changed or logged in."""
