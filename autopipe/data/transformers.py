"""The data transformers under their first module path, kept for pickled models and existing imports.

The classes live in private modules of :mod:`autopipe.data` and are imported
from there (``from autopipe.data import ToNumeric``). Models pickled or saved
with skops before that move refer to ``autopipe.data.transformers.<name>``;
this module keeps those names importable, so such models still load.
"""

from __future__ import annotations

from ._converters import ToNumeric, ToString
from ._datetimes import DateTimeFeatures
from ._encoders import FrequencyEncoder, OneVsRestTargetEncoder

__all__ = ["DateTimeFeatures", "FrequencyEncoder", "OneVsRestTargetEncoder", "ToNumeric", "ToString"]
