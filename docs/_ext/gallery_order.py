"""The order of the examples in the gallery: first steps first, then by topic.

sphinx-gallery sorts the examples of a folder with a key class that it
instantiates with the folder and calls with each file name
(``within_subsection_order`` in ``conf.py``).
"""

from __future__ import annotations

#: Example files in gallery order; a file not listed follows them, by name.
ORDER = (
    "quickstart.py",
    "search_plots.py",
    "raw_table.py",
    "regression.py",
    "imbalanced.py",
    "weights_and_groups.py",
    "custom_search_space.py",
    "custom_strategy.py",
    "neural_nets.py",
    "checkpoint_resume.py",
    "dask_cluster.py",
    "cli_walkthrough.py",
)


class GalleryOrder:
    """Sort key: position in :data:`ORDER`, then file name.

    Parameters
    ----------
    src_dir : str or Path
        The examples folder (unused: the order is by name).
    """

    def __init__(self, src_dir: object) -> None:
        self.src_dir = src_dir

    def __repr__(self) -> str:
        # sphinx-gallery compares configurations by repr between builds
        return "GalleryOrder"

    def __call__(self, filename: str) -> tuple[int, str]:
        name = str(filename)
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)
