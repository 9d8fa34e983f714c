"""The parts of the ``autopipe`` command line behind :mod:`autopipe.cli`: options, files, commands and output."""

from __future__ import annotations
