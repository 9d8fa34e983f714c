"""
The command line: fit, leaderboard, predict, export
===================================================

Everything a search needs can be done from a terminal, on a CSV or Parquet
file: ``autopipe fit`` searches and saves the model, ``autopipe leaderboard``
shows what was tried, ``autopipe predict`` writes predictions as CSV and
``autopipe export`` writes the pipeline as Python code or as a notebook. This
example runs each command through :func:`autopipe.cli.main`, which takes the
same arguments as the ``autopipe`` program, and prints what the terminal
would show after a ``$`` line with the command.

**Data:** credit-g, bundled with autopipe (1,000 loan applicants), written to
``train.csv`` (750 rows) and ``new.csv`` (250 rows, without the target) in a
temporary folder that is removed at the end.

**Budget:** ``--time`` of ``AUTOPIPE_BUDGET`` seconds (60 by default; 8 in the
documentation build), two worker processes.

Run with ``python examples/cli_walkthrough.py``.
"""

import os
import shlex
import tempfile
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from autopipe.cli import main
from autopipe.datasets import load_dataset

budget = float(os.environ.get("AUTOPIPE_BUDGET", "60"))
folder = tempfile.TemporaryDirectory()
work = Path(folder.name)  # the commands below name files relative to it

data = load_dataset("credit-g")
train, new = train_test_split(data, test_size=0.25, random_state=0, stratify=data["target"])
train.to_csv(work / "train.csv", index=False)
new.drop(columns="target").to_csv(work / "new.csv", index=False)


def autopipe(command):
    """Run one ``autopipe`` command line in ``work``, as a terminal there would; stop on a failure."""
    print(f"$ autopipe {command}")
    start = os.getcwd()
    os.chdir(work)
    try:
        status = main(shlex.split(command))
    finally:
        os.chdir(start)
    print()
    if status != 0:
        raise RuntimeError(f"'autopipe {command}' failed with exit status {status}")


# %%
# Search and save the model
# -------------------------
autopipe(f"fit train.csv --target target --time {budget:g} --n-jobs 2 --seed 0 --out model.joblib")

# %%
# The best candidates
# -------------------
autopipe("leaderboard model.joblib --top 5")

# %%
# Predictions for new rows
# ------------------------
autopipe("predict model.joblib new.csv --proba --out proba.csv")
print(pd.read_csv(work / "proba.csv").head().to_string(index=False))

# %%
# The best single pipeline as code
# --------------------------------
autopipe("export model.joblib --candidate 0 --out pipeline.py")
print((work / "pipeline.py").read_text())

# %%
# The shell commands
# ------------------
# In a terminal the same steps read::
#
#     autopipe fit train.csv --target target --time 60 --n-jobs 2 --seed 0 --out model.joblib
#     autopipe leaderboard model.joblib --top 5
#     autopipe predict model.joblib new.csv --proba --out proba.csv
#     autopipe export model.joblib --candidate 0 --out pipeline.py
#
# ``autopipe COMMAND --help`` lists every option of a command.
folder.cleanup()
