"""Input checks, task inference, column kinds and the automatic featurization step."""

from __future__ import annotations

from ._columns import ColumnKind, infer_column_kinds
from ._converters import ToNumeric, ToString
from ._datetimes import DateTimeFeatures
from ._encoders import FrequencyEncoder, OneVsRestTargetEncoder
from ._featurize import describe_columns, make_featurizer
from ._guardrails import DataReport, check_data
from ._target import (
    TaskChoice,
    check_classes,
    check_cv_rows,
    check_regression_target,
    check_target,
    check_task_scoring,
    choose_task,
    infer_task,
    scoring_task,
)
from ._weights import check_groups, check_sample_weight

__all__ = [
    "ColumnKind",
    "DataReport",
    "DateTimeFeatures",
    "FrequencyEncoder",
    "OneVsRestTargetEncoder",
    "ToNumeric",
    "TaskChoice",
    "ToString",
    "check_classes",
    "check_cv_rows",
    "check_data",
    "check_groups",
    "check_regression_target",
    "check_sample_weight",
    "check_target",
    "check_task_scoring",
    "choose_task",
    "describe_columns",
    "infer_column_kinds",
    "infer_task",
    "make_featurizer",
    "scoring_task",
]
