"""The ``autopipe`` command line: fit, predict, leaderboard and export from a terminal."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings

from ._cli.errors import PROG, CLIError, describe, show_warning
from ._cli.options import build_parser

__all__ = ["CLIError", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run the ``autopipe`` command line.

    Parameters
    ----------
    argv : list of str or None, default=None
        The arguments after the program name; None means ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a usage error (a bad or missing
        option), 1 for any other error. Errors are reported as one line on
        stderr (``autopipe: error: ...``); ``--debug`` raises them instead.

    Examples
    --------
    >>> main(["fit", "train.csv", "--target", "label", "--time", "30", "--out", "model.joblib"])  # doctest: +SKIP
    0
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in argv
    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            try:
                args = build_parser().parse_args(argv)
            except SystemExit as exc:  # --help and --version
                return exc.code if isinstance(exc.code, int) else 0
            return int(args.handler(args, sys.stdout))
        except KeyboardInterrupt:
            if debug:
                raise
            sys.stderr.write(f"{PROG}: error: interrupted\n")
            return 130
        except BrokenPipeError:
            # the reader of stdout went away (| head): stop quietly, as Unix tools do
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except Exception as exc:  # noqa: BLE001  (the command line shows one line, never a traceback)
            if debug:
                raise
            message, code = describe(exc)
            sys.stderr.write(f"{PROG}: error: {message}\n")
            return code


if __name__ == "__main__":
    raise SystemExit(main())
