"""A payload written once to a file that every worker process memory-maps, instead of a copy per worker.

The payload is pickled with cloudpickle (protocol 5), which hands its large
contiguous buffers (NumPy arrays, the numeric blocks of a pandas DataFrame,
Arrow buffers of string columns) out-of-band. ``joblib.dump`` writes the
pickle stream and those buffers to one file, and each worker reads it back
with ``joblib.load(..., mmap_mode="r")``: the buffers are then read-only
memory maps of the same file, so the operating system keeps one copy of
them in memory for all workers. What is pickled in-band (Python objects,
such as ``object`` columns of strings) is unpickled into each worker.

The file lives in a private folder under ``/dev/shm`` when that file system
has room for it (twice the payload's size free), else under the temporary
directory (``tempfile.gettempdir()``, which honours ``TMPDIR``), where the
page cache shares it alike. The folder is deleted when the payload is
replaced or the pool closed, when the :class:`SharedPayload` is garbage
collected or at interpreter exit, and, should this process be killed, by
joblib's resource tracker process.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref

import joblib
import numpy as np

__all__ = ["FOLDER_PREFIX", "SHARE_MIN_BYTES", "SharedPayload", "payload_roots", "share_payload"]

#: Out-of-band bytes from which a payload is shared through a file rather
#: than sent to each worker (below it, a copy per worker costs less than the
#: file's round trip is worth).
SHARE_MIN_BYTES = 2**20

_SHARED_MEMORY = "/dev/shm"
#: Payload folders are named ``autopipe-payload-<pid of the parent>-<random>``.
FOLDER_PREFIX = "autopipe-payload-"
_FILE_NAME = "payload.pkl"


def payload_roots(nbytes: int) -> list[str]:
    """The folders a payload of ``nbytes`` may be written under, best first.

    Parameters
    ----------
    nbytes : int
        Size of the payload.

    Returns
    -------
    list of str
        ``/dev/shm`` if it exists and has ``2 * nbytes`` free, then the
        temporary directory.
    """
    roots = []
    if os.path.isdir(_SHARED_MEMORY):
        try:
            if shutil.disk_usage(_SHARED_MEMORY).free >= 2 * nbytes:
                roots.append(_SHARED_MEMORY)
        except OSError:
            pass
    roots.append(tempfile.gettempdir())
    return roots


def _tell_tracker(action: str, folder: str) -> None:
    """Register (or unregister) ``folder`` with joblib's resource tracker, which deletes it if we die.

    Best effort: without the tracker, the finalizer still deletes it in a clean exit.
    """
    with contextlib.suppress(Exception):
        from joblib.externals.loky.backend import resource_tracker

        getattr(resource_tracker, action)(folder, "folder")


def _delete_folder(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if not os.path.exists(folder):  # else (a file still mapped on Windows) the tracker tries later
        _tell_tracker("unregister", folder)


class SharedPayload:
    """A pickled payload in a private folder, for worker processes to memory-map.

    Parameters
    ----------
    folder : str
        The folder, created by the caller; it is deleted by :meth:`remove`.

    Attributes
    ----------
    path : str
        The file workers load with ``joblib.load(path, mmap_mode="r")``: a
        pair ``(stream, buffers)`` to unpickle with
        ``pickle.loads(stream, buffers=buffers)``.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, _FILE_NAME)
        _tell_tracker("register", folder)
        self._finalizer = weakref.finalize(self, _delete_folder, folder)

    @property
    def removed(self) -> bool:
        """Whether the folder was deleted."""
        return not self._finalizer.alive

    def remove(self) -> None:
        """Delete the folder; idempotent.

        Workers that mapped the file keep reading it until they drop the
        payload (POSIX deletes a file's pages only when the last map goes).
        """
        self._finalizer()


def share_payload(stream: bytes, buffers: list[memoryview]) -> SharedPayload | None:
    """Write a pickled payload (stream and out-of-band buffers) for workers to memory-map.

    Parameters
    ----------
    stream : bytes
        The pickle stream.
    buffers : list of memoryview
        Its out-of-band buffers, contiguous and of byte format.

    Returns
    -------
    SharedPayload or None
        None when no folder could take the file (the caller then sends the
        payload through the workers' pipes).
    """
    nbytes = len(stream) + sum(view.nbytes for view in buffers)
    arrays = [np.frombuffer(view, dtype=np.uint8) for view in buffers]  # views, not copies
    for root in payload_roots(nbytes):
        try:
            folder = tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-", dir=root)
        except OSError:
            continue
        shared = SharedPayload(folder)
        try:
            joblib.dump((stream, arrays), shared.path)
        except OSError:  # e.g. the file system filled up meanwhile
            shared.remove()
            continue
        return shared
    return None
