"""The registry: every built-in operator with its default hyperparameter ranges."""

from __future__ import annotations

import functools
import importlib.util
import logging
from types import MappingProxyType
from typing import Any

from autopipe.space._distributions import Categorical as C
from autopipe.space._distributions import FloatDistribution as F
from autopipe.space._distributions import IntDistribution as I
from autopipe.space._operator import Operator, Role

__all__ = [
    "NN_OPERATORS",
    "nn_available",
    "registry_by_name",
    "registry_class_names",
    "registry_operators",
]

logger = logging.getLogger(__name__)

# Registry names of the neural-network operators (present only with torch and skorch).
NN_OPERATORS: tuple[str, ...] = ("NeuralNetClassifier", "NeuralNetRegressor")

_BOTH = frozenset({"classification", "regression"})
_CLF = frozenset({"classification"})
_REG = frozenset({"regression"})


def _tree_params() -> dict[str, Any]:
    return {
        "max_depth": I(1, 10),
        "min_samples_split": I(2, 20),
        "min_samples_leaf": I(1, 20),
    }


def _forest_params(bootstrap_default: bool) -> dict[str, Any]:
    return {
        "max_features": F(0.05, 1.0),
        "min_samples_split": I(2, 20),
        "min_samples_leaf": I(1, 20),
        "bootstrap": C((bootstrap_default, not bootstrap_default)),
    }


def _boosting_params() -> dict[str, Any]:
    return {
        "learning_rate": F(1e-3, 1.0, log=True),
        "max_depth": I(1, 10),
        "min_samples_split": I(2, 20),
        "min_samples_leaf": I(1, 20),
        "subsample": F(0.05, 1.0),
        "max_features": F(0.05, 1.0),
    }


def _hist_params() -> dict[str, Any]:
    return {
        "learning_rate": F(0.01, 1.0, log=True),
        "max_leaf_nodes": I(3, 127, log=True),
        "min_samples_leaf": I(1, 200, log=True),
        "l2_regularization": F(0.0, 1.0),
        "max_iter": I(100, 500),
    }


def _knn_params() -> dict[str, Any]:
    return {
        "n_neighbors": I(1, 100, log=True),
        "weights": C(("uniform", "distance")),
        "p": C((2, 1)),
    }


def _mlp_params() -> dict[str, Any]:
    return {
        "alpha": F(1e-5, 1e-1, log=True),
        "learning_rate_init": F(1e-4, 1e-1, log=True),
        "hidden_layer_sizes": C(((100,), (50,), (200,), (50, 50), (100, 50))),
    }


def _sgd_common() -> dict[str, Any]:
    return {
        "penalty": C(("l2", "l1", "elasticnet")),
        "alpha": F(1e-6, 1e-1, log=True),
        "l1_ratio": F(0.0, 1.0),
        "eta0": F(1e-4, 1e-1, log=True),
    }


def _transformers() -> list[Operator]:
    from sklearn.cluster import FeatureAgglomeration
    from sklearn.decomposition import PCA, FastICA
    from sklearn.kernel_approximation import Nystroem, RBFSampler
    from sklearn.preprocessing import (
        Binarizer,
        MaxAbsScaler,
        MinMaxScaler,
        Normalizer,
        PolynomialFeatures,
        RobustScaler,
        StandardScaler,
    )

    from autopipe.space.transformers import ZeroCount

    t = Role.TRANSFORMER
    # output_sign tells whether a step can hand a model that needs non-negative
    # input (MultinomialNB) negative values; "any" is the default.
    return [
        Operator("StandardScaler", StandardScaler, t, _BOTH, {}),
        Operator("RobustScaler", RobustScaler, t, _BOTH, {}),
        Operator("MinMaxScaler", MinMaxScaler, t, _BOTH, {}, output_sign="nonnegative"),
        Operator("MaxAbsScaler", MaxAbsScaler, t, _BOTH, {}, output_sign="preserved"),
        Operator("Normalizer", Normalizer, t, _BOTH, {"norm": C(("l2", "l1", "max"))}, output_sign="preserved"),
        Operator("Binarizer", Binarizer, t, _BOTH, {"threshold": F(0.0, 1.0)}, output_sign="nonnegative"),
        Operator(
            "PolynomialFeatures",
            PolynomialFeatures,
            t,
            _BOTH,
            {"interaction_only": C((False, True))},
            fixed={"degree": 2, "include_bias": False},
            input_only=True,
            max_input_features=40,
            output_sign="preserved",
        ),
        # A float n_components keeps enough components to explain that fraction
        # of the variance; it never asks for more components than the data has.
        Operator(
            "PCA",
            PCA,
            t,
            _BOTH,
            {"n_components": F(0.5, 0.99), "whiten": C((False, True))},
            fixed={"svd_solver": "full"},
        ),
        Operator(
            "FastICA",
            FastICA,
            t,
            _BOTH,
            {"tol": F(1e-4, 1.0, log=True)},
            fixed={"whiten": "unit-variance"},
        ),
        # chi2-type kernels need non-negative input: left out.
        Operator(
            "Nystroem",
            Nystroem,
            t,
            _BOTH,
            {
                "kernel": C(("rbf", "cosine", "laplacian", "polynomial", "linear", "sigmoid")),
                "gamma": F(1e-3, 1.0, log=True),
                "n_components": I(10, 100),
            },
        ),
        Operator("RBFSampler", RBFSampler, t, _BOTH, {"gamma": F(1e-3, 1.0, log=True)}),
        # "ward" linkage only works with the euclidean metric, and the two are
        # searched independently, so it is left out to avoid failing samples.
        Operator(
            "FeatureAgglomeration",
            FeatureAgglomeration,
            t,
            _BOTH,
            {
                "linkage": C(("average", "complete")),
                "metric": C(("euclidean", "manhattan", "cosine")),
            },
            output_sign="preserved",  # cluster means
        ),
        Operator("ZeroCount", ZeroCount, t, _BOTH, {}, output_sign="preserved"),
    ]


def _selectors() -> list[Operator]:
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
    from sklearn.feature_selection import (
        RFE,
        SelectFromModel,
        SelectFwe,
        SelectPercentile,
        VarianceThreshold,
        f_classif,
        f_regression,
    )

    s = Role.SELECTOR
    ops = [
        Operator(
            "VarianceThreshold", VarianceThreshold, s, _BOTH, {"threshold": F(1e-4, 0.2, log=True)},
            output_sign="preserved",
        )
    ]
    for tasks, score_func in ((_CLF, f_classif), (_REG, f_regression)):
        ops.append(
            Operator(
                "SelectPercentile",
                SelectPercentile,
                s,
                tasks,
                {"percentile": I(1, 99)},
                fixed={"score_func": score_func},
                output_sign="preserved",
            )
        )
        ops.append(
            Operator(
                "SelectFwe",
                SelectFwe,
                s,
                tasks,
                {"alpha": F(1e-3, 0.05)},
                fixed={"score_func": score_func},
                output_sign="preserved",
            )
        )
    for tasks, trees in ((_CLF, ExtraTreesClassifier), (_REG, ExtraTreesRegressor)):
        # Thresholds relative to the mean importance never select nothing at
        # "mean"/"median" and rarely do otherwise (an absolute one often would).
        ops.append(
            Operator(
                "SelectFromModel",
                SelectFromModel,
                s,
                tasks,
                {
                    "threshold": C(
                        ("mean", "median", "0.25*mean", "0.5*mean", "0.75*mean", "1.25*mean", "1.5*mean")
                    ),
                    "estimator__max_features": F(0.05, 1.0),
                },
                fixed={"estimator": trees(n_estimators=100)},
                output_sign="preserved",
            )
        )
        ops.append(
            Operator(
                "RFE",
                RFE,
                s,
                tasks,
                {"step": F(0.05, 0.95), "estimator__max_features": F(0.05, 1.0)},
                fixed={"estimator": trees(n_estimators=100)},
                output_sign="preserved",
            )
        )
    return ops


def _classifiers() -> list[Operator]:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import LinearSVC
    from sklearn.tree import DecisionTreeClassifier

    m = Role.MODEL
    nb = {"alpha": F(1e-3, 100.0, log=True), "fit_prior": C((True, False))}
    criterion = {"criterion": C(("gini", "entropy"))}
    # Class weighting is searched for every model that accepts it: "balanced"
    # often wins on imbalanced data with balanced accuracy or F1.
    balanced = {"class_weight": C((None, "balanced"))}
    return [
        # lbfgs handles every case (multiclass included); it only supports the
        # l2 penalty, so l1_ratio stays at its default 0.
        Operator(
            "LogisticRegression",
            LogisticRegression,
            m,
            _CLF,
            {"C": F(1e-4, 1e4, log=True), **balanced},
            fixed={"solver": "lbfgs"},
        ),
        Operator("GaussianNB", GaussianNB, m, _CLF, {}),
        Operator("BernoulliNB", BernoulliNB, m, _CLF, dict(nb)),
        Operator("MultinomialNB", MultinomialNB, m, _CLF, dict(nb), nonnegative_input=True),
        Operator("KNeighborsClassifier", KNeighborsClassifier, m, _CLF, _knn_params()),
        Operator(
            "DecisionTreeClassifier", DecisionTreeClassifier, m, _CLF, {**criterion, **_tree_params(), **balanced}
        ),
        Operator(
            "RandomForestClassifier",
            RandomForestClassifier,
            m,
            _CLF,
            {**criterion, **_forest_params(True), **balanced},
            fixed={"n_estimators": 100},
        ),
        Operator(
            "ExtraTreesClassifier",
            ExtraTreesClassifier,
            m,
            _CLF,
            {**criterion, **_forest_params(False), **balanced},
            fixed={"n_estimators": 100},
        ),
        Operator(
            "GradientBoostingClassifier",
            GradientBoostingClassifier,
            m,
            _CLF,
            _boosting_params(),
            fixed={"n_estimators": 100},
        ),
        Operator(
            "HistGradientBoostingClassifier", HistGradientBoostingClassifier, m, _CLF, {**_hist_params(), **balanced}
        ),
        # penalty stays l2: l1 with the hinge loss is unsupported.
        Operator(
            "LinearSVC",
            LinearSVC,
            m,
            _CLF,
            {
                "C": F(1e-4, 25.0, log=True),
                "loss": C(("squared_hinge", "hinge")),
                "tol": F(1e-5, 1e-1, log=True),
                **balanced,
            },
            fixed={"dual": "auto"},
        ),
        Operator(
            "SGDClassifier",
            SGDClassifier,
            m,
            _CLF,
            {
                "loss": C(("hinge", "log_loss", "modified_huber")),
                **_sgd_common(),
                "learning_rate": C(("optimal", "invscaling", "constant", "adaptive")),
                **balanced,
            },
        ),
        Operator(
            "MLPClassifier",
            MLPClassifier,
            m,
            _CLF,
            _mlp_params(),
            fixed={"max_iter": 200, "early_stopping": True},
        ),
    ]


def _regressors() -> list[Operator]:
    from sklearn.ensemble import (
        ExtraTreesRegressor,
        GradientBoostingRegressor,
        HistGradientBoostingRegressor,
        RandomForestRegressor,
    )
    from sklearn.linear_model import ElasticNet, LassoLars, Ridge, SGDRegressor
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.svm import LinearSVR
    from sklearn.tree import DecisionTreeRegressor

    m = Role.MODEL
    boosting = _boosting_params()
    return [
        Operator("Ridge", Ridge, m, _REG, {"alpha": F(1e-4, 1e3, log=True)}),
        Operator(
            "ElasticNet",
            ElasticNet,
            m,
            _REG,
            {
                "alpha": F(1e-4, 10.0, log=True),
                "l1_ratio": F(0.0, 1.0),
                "tol": F(1e-5, 1e-1, log=True),
            },
        ),
        # LassoLars lost its ``normalize`` parameter in scikit-learn 1.2.
        Operator("LassoLars", LassoLars, m, _REG, {"alpha": F(1e-4, 10.0, log=True)}),
        Operator("KNeighborsRegressor", KNeighborsRegressor, m, _REG, _knn_params()),
        Operator("DecisionTreeRegressor", DecisionTreeRegressor, m, _REG, _tree_params()),
        Operator(
            "RandomForestRegressor",
            RandomForestRegressor,
            m,
            _REG,
            _forest_params(True),
            fixed={"n_estimators": 100},
        ),
        Operator(
            "ExtraTreesRegressor",
            ExtraTreesRegressor,
            m,
            _REG,
            _forest_params(False),
            fixed={"n_estimators": 100},
        ),
        # "quantile" is left out: it estimates a quantile, not the mean.
        Operator(
            "GradientBoostingRegressor",
            GradientBoostingRegressor,
            m,
            _REG,
            {
                "loss": C(("squared_error", "huber", "absolute_error")),
                **boosting,
                "alpha": F(0.75, 0.99),
            },
            fixed={"n_estimators": 100},
        ),
        Operator(
            "HistGradientBoostingRegressor", HistGradientBoostingRegressor, m, _REG, _hist_params()
        ),
        Operator(
            "LinearSVR",
            LinearSVR,
            m,
            _REG,
            {
                "C": F(1e-4, 25.0, log=True),
                "loss": C(("epsilon_insensitive", "squared_epsilon_insensitive")),
                "epsilon": F(1e-4, 1.0, log=True),
                "tol": F(1e-5, 1e-1, log=True),
            },
            fixed={"dual": "auto"},
        ),
        Operator(
            "SGDRegressor",
            SGDRegressor,
            m,
            _REG,
            {
                "loss": C(("squared_error", "huber", "epsilon_insensitive")),
                **_sgd_common(),
                "learning_rate": C(("invscaling", "constant", "adaptive")),
            },
        ),
        Operator(
            "MLPRegressor",
            MLPRegressor,
            m,
            _REG,
            _mlp_params(),
            fixed={"max_iter": 200, "early_stopping": True},
        ),
    ]


def nn_available() -> bool:
    """Whether torch and skorch are installed (found without importing them).

    Returns
    -------
    available : bool
    """
    return (
        importlib.util.find_spec("torch") is not None
        and importlib.util.find_spec("skorch") is not None
    )


def _neural_nets() -> list[Operator]:
    if not nn_available():
        logger.info("neural-network operators left out: install autopipe[nn]")
        return []
    from autopipe.space.nets import (
        NeuralNetClassifierOperator,
        NeuralNetRegressorOperator,
    )

    def params() -> dict[str, Any]:
        return {
            "n_layers": I(1, 4),
            "width": I(16, 512, log=True),
            "shrink": C((1.0, 0.5)),
            "activation": C(("relu", "gelu", "tanh", "silu")),
            "dropout": F(0.0, 0.5),
            "norm": C((None, "batch", "layer")),
            "skip": C((False, True)),
            "dense": C((False, True)),
            "optimizer": C(("adam", "adamw", "sgd")),
            "lr": F(1e-4, 1e-1, log=True),
            "weight_decay": F(1e-6, 1e-2, log=True),
            "batch_size": I(32, 512, log=True),
            "max_epochs": I(5, 100),
            "early_stopping": C((True, False)),
        }

    m = Role.MODEL
    fixed = {"device": "auto"}
    clf_name, reg_name = NN_OPERATORS
    return [
        Operator(clf_name, NeuralNetClassifierOperator, m, _CLF, params(), fixed=dict(fixed), budget_param="max_epochs"),
        Operator(reg_name, NeuralNetRegressorOperator, m, _REG, params(), fixed=dict(fixed), budget_param="max_epochs"),
    ]


def _lightgbm_params() -> dict[str, Any]:
    return {
        "learning_rate": F(0.01, 0.3, log=True),
        "num_leaves": I(4, 256, log=True),
        "min_child_samples": I(2, 128, log=True),
        "subsample": F(0.5, 1.0),
        "colsample_bytree": F(0.3, 1.0),
        "reg_alpha": F(1e-3, 10.0, log=True),
        "reg_lambda": F(1e-3, 100.0, log=True),
    }


def _xgboost_params() -> dict[str, Any]:
    return {
        "learning_rate": F(0.01, 0.3, log=True),
        "max_depth": I(2, 12),
        "min_child_weight": F(0.1, 50.0, log=True),
        "subsample": F(0.5, 1.0),
        "colsample_bytree": F(0.3, 1.0),
        "reg_alpha": F(1e-3, 10.0, log=True),
        "reg_lambda": F(1e-2, 100.0, log=True),
    }


def _catboost_params() -> dict[str, Any]:
    return {
        "learning_rate": F(0.02, 0.3, log=True),
        "depth": I(4, 10),
        "l2_leaf_reg": F(1.0, 30.0, log=True),
        "random_strength": F(0.1, 10.0, log=True),
    }


def _boosting_libraries() -> list[Operator]:
    """LightGBM's operators (a dependency), XGBoost's and CatBoost's when installed (autopipe[boost])."""
    from autopipe.space import boosting

    m = Role.MODEL
    balanced = {"class_weight": C((None, "balanced"))}
    # Early stopping inside each fit decides the rounds: n_estimators is only a cap.
    libraries = (
        ("lightgbm", boosting.LGBMClassifier, boosting.LGBMRegressor, _lightgbm_params),
        ("xgboost", boosting.XGBClassifier, boosting.XGBRegressor, _xgboost_params),
        ("catboost", boosting.CatBoostClassifier, boosting.CatBoostRegressor, _catboost_params),
    )
    ops = []
    for library, classifier, regressor, params in libraries:
        if not boosting.library_available(library):
            extra = "reinstall autopipe" if library == "lightgbm" else "install autopipe[boost]"
            logger.info("%s operators left out: %s", library, extra)
            continue
        ops.append(Operator(classifier.__name__, classifier, m, _CLF, {**params(), **balanced}))
        ops.append(Operator(regressor.__name__, regressor, m, _REG, params()))
    return ops


def imblearn_available() -> bool:
    """Whether imbalanced-learn is installed (found without importing it).

    Returns
    -------
    available : bool
    """
    return importlib.util.find_spec("imblearn") is not None


def _samplers() -> list[Operator]:
    if not imblearn_available():
        logger.info("resamplers (SMOTE, random under- and over-sampling) left out: install autopipe[imbalanced]")
        return []
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.under_sampling import RandomUnderSampler

    s = Role.SAMPLER
    return [
        Operator("SMOTE", SMOTE, s, _CLF, {"k_neighbors": I(1, 10)}, output_sign="preserved"),
        Operator("RandomUnderSampler", RandomUnderSampler, s, _CLF, {}, output_sign="preserved"),
        Operator("RandomOverSampler", RandomOverSampler, s, _CLF, {}, output_sign="preserved"),
    ]


@functools.cache
def registry_operators() -> tuple[Operator, ...]:
    """Every built-in operator record (built on first use, then cached).

    A name appears twice when the two tasks need different fixed arguments
    (``SelectPercentile`` with ``f_classif`` or ``f_regression``); within one
    task names are unique. The neural-network operators (:data:`NN_OPERATORS`)
    are included only when torch and skorch are installed, the resamplers only
    when imbalanced-learn is, the XGBoost and CatBoost operators only when
    their libraries are.
    """
    return tuple(
        _transformers() + _selectors() + _samplers() + _classifiers() + _regressors()
        + _boosting_libraries() + _neural_nets()
    )


@functools.cache
def registry_by_name() -> MappingProxyType:
    """``{name: (records...)}`` in registry order."""
    out: dict[str, tuple[Operator, ...]] = {}
    for op in registry_operators():
        out[op.name] = out.get(op.name, ()) + (op,)
    return MappingProxyType(out)


@functools.cache
def registry_class_names() -> MappingProxyType:
    """``{estimator class: registry name}``."""
    return MappingProxyType({op.estimator_class: op.name for op in registry_operators()})
