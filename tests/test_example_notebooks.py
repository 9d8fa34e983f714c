"""Every notebook in examples/ runs top to bottom with a small budget.

The notebooks run in a Jupyter kernel (nbclient + ipykernel), with the examples
folder as the working directory, the way a user opens them. The test is skipped
where nbclient, nbformat, ipykernel or a ``python3`` kernel is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
#: Files a notebook reads that are not in the repository (the shared data sets).
NEEDS = {"titanic.ipynb": ROOT.parent / "shared" / "datasets" / "titanic.csv.gz"}


def _kernel_name() -> str:
    pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no 'python3' Jupyter kernel is installed")
    return "python3"


def _text_outputs(nb: object) -> str:
    """All stream and text/plain outputs of the executed notebook, concatenated."""
    parts = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif "data" in output:
                parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def test_notebooks_are_found():
    assert NOTEBOOKS, "examples/ has no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_example_notebook_runs(path, monkeypatch):
    kernel = _kernel_name()
    import nbformat
    from nbclient import NotebookClient

    needed = NEEDS.get(path.name)
    if needed is not None and not needed.exists():
        pytest.skip(f"{needed} is not available")

    # The kernel inherits this process's environment. A little more than the
    # scripts' 8 s: on a busy 2-core machine starting the kernel and the worker
    # processes can eat most of an 8 s budget before the first candidate ends.
    monkeypatch.setenv("AUTOPIPE_BUDGET", "12")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("AUTOPIPE_DATA", raising=False)

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=180,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on failure

    text = _text_outputs(nb)
    assert text.strip()
    if path.name == "titanic.ipynb":
        assert "Held-out accuracy" in text
        assert "pipeline = " in text  # the exported code


def test_titanic_reads_autopipe_data(monkeypatch, tmp_path):
    """``AUTOPIPE_DATA`` overrides the default location (file or folder)."""
    nbformat = pytest.importorskip("nbformat")
    cells = nbformat.read(EXAMPLES / "titanic.ipynb", as_version=4).cells
    source = next(c.source for c in cells if "def find_titanic" in c.source)
    definitions = source.split("\npath = find_titanic()")[0]  # imports and the function, no I/O
    namespace: dict = {}
    exec(compile(definitions, "titanic.ipynb", "exec"), namespace)
    find_titanic = namespace["find_titanic"]

    data_file = tmp_path / "my-titanic.csv"
    data_file.write_text("survived,sex\n1,female\n")
    monkeypatch.setenv("AUTOPIPE_DATA", str(data_file))
    assert find_titanic() == data_file
    monkeypatch.setenv("AUTOPIPE_DATA", str(tmp_path))
    assert find_titanic() == tmp_path / "titanic.csv.gz"
    monkeypatch.delenv("AUTOPIPE_DATA")
    monkeypatch.chdir(EXAMPLES)
    assert find_titanic() == ROOT.parent / "shared" / "datasets" / "titanic.csv.gz"
