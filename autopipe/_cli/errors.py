"""Errors of the command line, and how errors and warnings are shown as one line on stderr."""

from __future__ import annotations

import sys
from typing import TextIO

PROG = "autopipe"
_MAX_MESSAGE = 400


class CLIError(Exception):
    """An error reported to the user as one line on stderr, with an exit status.

    Parameters
    ----------
    message : str
        What went wrong and, where possible, what to do about it.
    code : int, default=1
        Exit status: 2 for usage errors (bad options), 1 for everything else.
    """

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def one_line(message: str) -> str:
    """``message`` on one line: its lines joined, shortened to a readable length."""
    text = ""
    for line in (line.strip() for line in str(message).splitlines()):
        if line:
            text += line if not text else (" " if text.endswith(":") else "; ") + line
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 6] + " [...]"


def show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int,
    file: TextIO | None = None, line: str | None = None,
) -> None:
    """Show a warning as one line on stderr (a replacement for :func:`warnings.showwarning`)."""
    (file or sys.stderr).write(f"{PROG}: warning: {one_line(str(message))}\n")


def describe(exc: BaseException) -> tuple[str, int]:
    """The one-line message and exit status for an error raised by a command."""
    if isinstance(exc, CLIError):
        return one_line(str(exc)), exc.code
    from ..exceptions import AllCandidatesFailedError

    if isinstance(exc, AllCandidatesFailedError):
        summary = str(exc).split("\nFirst failing pipeline:")[0]  # the grouped errors, without the debugging recipe
        return one_line(summary) + " (a larger --time may help)", 1
    text = one_line(str(exc))
    name = type(exc).__name__
    return (f"{name}: {text}" if text else name) + " (rerun with --debug for the traceback)", 1
