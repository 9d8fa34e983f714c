"""Safer saving and loading of fitted pipelines with skops, instead of pickle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: Types ``load_model`` trusts beyond skops' defaults: autopipe's plain transformers, the
#: imbalanced-learn pipeline and resamplers of the search space, and numpy dtypes.
AUTOPIPE_TYPES = (
    "autopipe.space.transformers.StackingTransformer",
    "autopipe.space.transformers.ZeroCount",
    "autopipe.data._converters.ToNumeric",
    "autopipe.data._converters.ToString",
    "autopipe.data._datetimes.DateTimeFeatures",
    "autopipe.data._encoders.FrequencyEncoder",
    "autopipe.data._encoders.OneVsRestTargetEncoder",
    # the same classes as files saved before they moved name them
    "autopipe.data.transformers.DateTimeFeatures",
    "autopipe.data.transformers.FrequencyEncoder",
    "autopipe.data.transformers.OneVsRestTargetEncoder",
    "autopipe.data.transformers.ToNumeric",
    "autopipe.data.transformers.ToString",
    "imblearn.pipeline.Pipeline",
    "imblearn.over_sampling._smote.base.SMOTE",
    "imblearn.over_sampling._random_over_sampler.RandomOverSampler",
    "imblearn.under_sampling._prototype_selection._random_under_sampler.RandomUnderSampler",
    # neighbour searches fitted by SMOTE and the k-nearest-neighbour models
    "sklearn.neighbors._kd_tree.KDTree",
    "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.metrics._dist_metrics.ManhattanDistance64",
    "numpy.dtype",  # stored by encoders; holds no code
)

__all__ = ["AUTOPIPE_TYPES", "load_model", "save_model"]


def _skops() -> Any:
    try:
        import skops.io as sio
    except ImportError:
        raise ImportError("save_model and load_model need skops: pip install 'autopipe[skops]'") from None
    return sio


def save_model(model: Any, path: str | Path) -> Path:
    """Save a fitted model in the skops format, which loads without running arbitrary code.

    Parameters
    ----------
    model : AutoEstimator or sklearn estimator
        For a fitted ``AutoEstimator`` its ``fitted_pipeline_`` is saved: a
        plain sklearn pipeline, without the search history.
    path : str or Path
        Destination file (``.skops`` by convention).

    Returns
    -------
    path : Path
        The file written.

    See Also
    --------
    load_model : Load it back, trusting only known types.

    Notes
    -----
    ``pickle`` and ``joblib`` files run code when loaded: load those only from
    sources you trust. The skops format stores the objects' state and refuses,
    at load, every type that is not explicitly trusted.
    """
    pipeline = getattr(model, "fitted_pipeline_", model)
    path = Path(path)
    _skops().dump(pipeline, path)
    return path


def load_model(path: str | Path, *, trusted: Sequence[str] = ()) -> Any:
    """Load a model saved by :func:`save_model`.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save_model`.
    trusted : sequence of str, default=()
        Extra fully qualified type names to trust (for your own operators).
        sklearn's and numpy's types that skops trusts by default, and autopipe's
        own transformers (``AUTOPIPE_TYPES``), are trusted already.

    Returns
    -------
    model : sklearn estimator
        The fitted pipeline.

    Raises
    ------
    ValueError
        If the file holds types that are not trusted; the message lists them.
    """
    sio = _skops()
    unknown = sio.get_untrusted_types(file=path)
    allowed = set(AUTOPIPE_TYPES) | set(trusted)
    refused = sorted(t for t in unknown if t not in allowed)
    if refused:
        raise ValueError(
            f"{path} contains types that are not trusted: {refused}. Pass them in trusted=[...] "
            "only if you trust the file's source."
        )
    return sio.load(path, trusted=sorted(allowed & set(unknown)))
