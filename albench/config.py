"""Experiment configuration: TOML in, a validated :class:`Experiment` out.

Every field has a default; unknown keys, wrong types and out-of-range values are rejected
with the field's path, the bad value and what is allowed. See ``docs/config.md``.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from albench.components import ComponentSpec, build_instance, default_label, signature_params
from albench.errors import AlbenchInputError, invalid_value
from albench.metrics import DEFAULT_METRICS
from albench.models import build_model, resolved_model_params
from albench.registry import DATASETS, METRICS, SUITES
from albench.stopping import STOP_SET_SIZE, StoppingSpec, parse_stopping

TOP_KEYS = (
    "name",
    "seed",
    "repetitions",
    "suite",
    "data_dir",
    "protocol",
    "grid",
    "cell_timeout",
    "retries",
    "report",
)
#: keys of the [report] table: how `albench run`'s summary and `albench report` read results
REPORT_KEYS = ("aubc_variant",)
PROTOCOL_KEYS = (
    "test_fraction",
    "initial_size",
    "initial_per_class",
    "batch_size",
    "budget",
    "metrics",
    "standardize",
    "splits_file",
    "budget_unit",
    "stopping",
    "stop_set_size",
    "split",
    "test_rounding",
    "initial_min_per_class",
    "pool_subsample",
)
STANDARDIZE = ("train", "labeled", "none")
SPLITS = ("stratified", "random", "group", "published")
TEST_ROUNDING = ("ceil", "floor")
GRID_KEYS = ("datasets", "models", "strategies", "labelers", "updates", "rebalancing")
#: Default entry of each axis added by the loop's redesign; a cell at these defaults keeps its old key.
DEFAULT_UPDATE = "refit"
DEFAULT_REBALANCING = "none"
BUDGET_UNITS = ("labels", "cost")
STRATEGY_EXTRA_KEYS = ("query_model",)
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Protocol:
    """How every cell is simulated.

    Attributes
    ----------
    test_fraction : float
        Share of the data held out as the test set, in (0, 1).
    initial_size : int or None
        Size of the initial labeled set, drawn at random from the training part and re-drawn
        (deterministically) until it contains every class.
    initial_per_class : int or None
        Alternative to ``initial_size``: this many initial labels from each class.
    batch_size : int
        Samples queried per round.
    budget : int, float or "pool"
        Labels to spend after the initial set: a number, a fraction of the pool in (0, 1],
        or ``"pool"`` for the whole pool.
    metrics : tuple of str
        Test metrics recorded every round.
    standardize : {"train", "labeled", "none"}
        Feature standardisation: fitted once on the training part (pool plus initial set,
        as the AL literature does), refitted every round on the labeled set only, or none.
    splits_file : str or None
        Absolute path of a fixed-splits file (:mod:`albench.datasets.splits`): its train/test
        rows and initial sets replace the random split and initial draw.
    splits_sha256 : str or None
        SHA-256 of that file; it, not the path, identifies the splits in cell keys.
    budget_unit : {"labels", "cost"}
        What the budget counts: labels bought (a vote of k annotators buys k), or the
        labeler's cost (then ``budget`` is an amount of cost, not a fraction of the pool).
    stopping : tuple of StoppingSpec
        Stopping criteria observed every round (:mod:`albench.stopping`); they add
        ``stop_<label>_value`` and ``stop_<label>`` columns and change nothing else.
    stop_set_size : int
        Size of the stop set some criteria predict on (drawn once per seed, dataset and
        repetition from the initial pool).
    split : {"stratified", "random", "group", "published"}
        How the train/test split is drawn: stratified by class (scikit-learn's
        ``train_test_split(stratify=y)``), or a plain random permutation (the published
        benchmarks' scripts, e.g. Lu et al. 2025 ``utils.init_data_exps``); ``"group"``
        keeps each group of the dataset (FSDD's speakers) wholly in the training or the test
        part (``test_fraction`` of the groups are held out); ``"published"`` tests on the
        dataset's published test part (TREC, SST-2). See :mod:`albench.partition`.
    test_rounding : {"ceil", "floor"}
        Test set size from ``test_fraction * n``: rounded up (scikit-learn; also Lu et al.'s
        ``n - int(n * (1 - test_fraction))``) or down (Zhan et al.'s ``int(n * test_fraction)``).
    initial_min_per_class : int
        With ``initial_size``: the initial set is re-drawn until every class has at least this
        many labels (1: every class present; Zhan et al.'s scripts use 2).
    pool_subsample : int or None
        Score only a random subset of this many pool samples each round (Gal et al. 2017 and
        baal score 2,000 to 10,000), drawn from the strategy's own seed; ``None``: the whole pool.
    """

    test_fraction: float = 0.25
    initial_size: int | None = 20
    initial_per_class: int | None = None
    batch_size: int = 10
    budget: int | float | str = 100
    metrics: tuple[str, ...] = DEFAULT_METRICS
    standardize: str = "train"
    splits_file: str | None = None
    splits_sha256: str | None = None
    budget_unit: str = "labels"
    stopping: tuple[StoppingSpec, ...] = ()
    stop_set_size: int = STOP_SET_SIZE
    split: str = "stratified"
    test_rounding: str = "ceil"
    initial_min_per_class: int = 1
    pool_subsample: int | None = None

    def split_options(self) -> dict:
        """The split and initial-set options that differ from their defaults.

        Only these enter :meth:`to_dict` (and so cell keys), so configs that do not use them
        keep the keys they had before the options existed.
        """
        out: dict = {}
        if self.split != "stratified":
            out["split"] = self.split
        if self.test_rounding != "ceil":
            out["test_rounding"] = self.test_rounding
        if self.initial_min_per_class != 1:
            out["initial_min_per_class"] = self.initial_min_per_class
        return out

    def identity(self) -> dict:
        """What the cell key hashes: :meth:`to_dict` with the splits file's checksum for its path."""
        out = self.to_dict()
        if out.pop("splits_file", None) is not None:
            out["splits_sha256"] = self.splits_sha256
        if self.stopping:  # resolved parameters, so a default written out is the same cell
            out["stopping"] = [s.identity() for s in self.stopping]
        return out

    def initial_count(self, n_classes: int) -> int:
        """Number of initial labels for a dataset with ``n_classes`` classes."""
        if self.initial_per_class is not None:
            return self.initial_per_class * n_classes
        return int(self.initial_size)

    def budget_for(self, pool_size: int) -> int:
        """The budget in labels for a pool of ``pool_size`` samples (in cost: the amount given)."""
        if self.budget_unit == "cost":
            return self.budget
        if self.budget == "pool":
            return pool_size
        if isinstance(self.budget, float):
            return int(math.floor(self.budget * pool_size))
        return int(self.budget)

    def to_dict(self) -> dict:
        """Plain dict, as written in a config file (``None`` fields left out)."""
        out = {
            "test_fraction": self.test_fraction,
            "batch_size": self.batch_size,
            "budget": self.budget,
            "metrics": list(self.metrics),
            "standardize": self.standardize,
        }
        if self.initial_per_class is not None:
            out["initial_per_class"] = self.initial_per_class
        else:
            out["initial_size"] = self.initial_size
        if self.splits_file is not None:
            out["splits_file"] = self.splits_file
        if self.budget_unit != "labels":  # left out at the default: older cell keys stay the same
            out["budget_unit"] = self.budget_unit
        if self.stopping:  # left out when empty: configs without criteria keep their cell keys
            out["stopping"] = [s.to_config() for s in self.stopping]
            out["stop_set_size"] = self.stop_set_size
        out.update(self.split_options())
        if self.pool_subsample is not None:  # left out when unset: older cell keys stay the same
            out["pool_subsample"] = self.pool_subsample
        return out


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: the grid and how to simulate it."""

    name: str
    seed: int
    repetitions: int
    protocol: Protocol
    datasets: tuple[ComponentSpec, ...]
    models: tuple[ComponentSpec, ...]
    strategies: tuple[ComponentSpec, ...]
    labelers: tuple[ComponentSpec, ...]
    updates: tuple[ComponentSpec, ...] = ()
    rebalancing: tuple[ComponentSpec, ...] = ()
    suite: str | None = None
    data_dir: str | None = None
    source: str = "<built-in>"
    raw: dict = field(default_factory=dict, compare=False)
    #: Seconds a cell may run before its worker is stopped (a runtime knob, not in cell keys).
    cell_timeout: float | None = None
    #: Extra attempts for a cell whose worker died (a runtime knob, not in cell keys).
    retries: int = 0
    #: ``[report] aubc_variant``: the AUBC variant the run summary and the report show by
    #: default (``None``: trapezoid). How results are read, never part of a cell's key.
    aubc_variant: str | None = None

    def to_dict(self) -> dict:
        """The experiment as a config dict that :func:`parse_config` reads back to the same cells."""
        knobs = {"cell_timeout": self.cell_timeout} if self.cell_timeout is not None else {}
        if self.retries:
            knobs["retries"] = self.retries
        if self.aubc_variant is not None:
            knobs["report"] = {"aubc_variant": self.aubc_variant}
        return {
            **knobs,
            "name": self.name,
            "seed": self.seed,
            "repetitions": self.repetitions,
            "protocol": self.protocol.to_dict(),
            "grid": {
                "datasets": [c.to_config() for c in self.datasets],
                "models": [c.to_config() for c in self.models],
                "strategies": [c.to_config() for c in self.strategies],
                "labelers": [c.to_config() for c in self.labelers],
                **{
                    axis: [c.to_config() for c in specs]
                    for axis, specs, default in (
                        ("updates", self.updates, DEFAULT_UPDATE),
                        ("rebalancing", self.rebalancing, DEFAULT_REBALANCING),
                    )
                    if [c.to_config() for c in specs] not in ([], [default])
                },
            },
        }


# --------------------------------------------------------------------------- helpers


def _check_keys(table: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = [k for k in table if k not in allowed]
    if unknown:
        where_txt = f"[{where}]" if where else "the top level"
        raise AlbenchInputError(
            f"unknown key {unknown[0]!r} in {where_txt}; allowed keys: {', '.join(allowed)}"
        )


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _int_field(table: dict, key: str, where: str, default: int, minimum: int) -> int:
    value = table.get(key, default)
    if not _is_int(value) or value < minimum:
        raise invalid_value(f"{where}{key}", value, f"must be an integer >= {minimum}")
    return value


def _name_list(value: Any, field_name: str) -> list:
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list) or not value:
        raise invalid_value(
            field_name, value, "must be a name, a table with a 'name' key, or a non-empty list of them"
        )
    return value


def _split_entry(entry: Any, field_name: str) -> tuple[str, dict, str | None, dict]:
    """Return (name, params, label, extras) from ``"name"`` or ``{name = ..., ...}``."""
    if isinstance(entry, str):
        return entry, {}, None, {}
    if isinstance(entry, dict):
        if "name" not in entry or not isinstance(entry["name"], str):
            raise invalid_value(field_name, entry, "a table entry needs a string 'name' key")
        params = {k: v for k, v in entry.items() if k not in ("name", "label")}
        label = entry.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise invalid_value(f"{field_name}.label", label, "must be a non-empty string")
        return entry["name"], params, label, {}
    raise invalid_value(field_name, entry, "must be a name (string) or a table with a 'name' key")


def _unique_labels(specs: list[ComponentSpec], field_name: str) -> None:
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs):
        if spec.label in seen:
            raise AlbenchInputError(
                f"{field_name}[{i}]: {spec.label!r} appears twice (also at [{seen[spec.label]}]); "
                "give one a different 'label' or different parameters"
            )
        seen[spec.label] = i


def parse_dataset(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one dataset entry (name registered, parameters accepted, feature pipeline resolved)."""
    from albench.featurize import is_default_features, parse_features

    name, params, label, _ = _split_entry(entry, field_name)
    given = params.pop("features", None)
    obj = DATASETS.get(name, field=field_name).obj
    resolved = signature_params(obj, "dataset", name, params, field_name)
    features = parse_features(given, name, resolved, f"{field_name}.features")
    extra = {"features": features} if features is not None else {}
    shown = default_label(name, params)
    if given is not None and not is_default_features(features, name, resolved):
        shown += f"[{features.label if features is not None else 'none'}]"
    return ComponentSpec("dataset", name, params, resolved, label or shown, extra)


def parse_model(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one model entry by building the estimator once."""
    name, params, label, _ = _split_entry(entry, field_name)
    est = build_model(name, params, random_state=0, field=field_name)
    resolved = resolved_model_params(est)
    return ComponentSpec("model", name, params, resolved, label or default_label(name, params))


def parse_strategy(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one strategy entry; ``query_model`` may name a model to query with."""
    name, params, label, _ = _split_entry(entry, field_name)
    extra: dict = {}
    if "query_model" in params:
        extra["query_model"] = parse_model(params.pop("query_model"), f"{field_name}.query_model")
    instance = build_instance("strategy", name, params, field_name)
    resolved = instance.get_params(deep=False)
    if label is None:
        label = default_label(name, params)
        if extra:
            qm = extra["query_model"].label
            label = (
                f"{label[:-1]}, query_model={qm})" if label.endswith(")") else f"{label}(query_model={qm})"
            )
    return ComponentSpec("strategy", name, params, resolved, label, extra)


def parse_labeler(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one labeler entry."""
    name, params, label, _ = _split_entry(entry, field_name)
    instance = build_instance("labeler", name, params, field_name)
    return ComponentSpec(
        "labeler", name, params, instance.get_params(deep=False), label or default_label(name, params)
    )


def parse_update(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one model-update policy entry (``refit``, ``warm_start``, ``incremental``)."""
    name, params, label, _ = _split_entry(entry, field_name)
    instance = build_instance("update", name, params, field_name)
    return ComponentSpec(
        "update", name, params, instance.get_params(deep=False), label or default_label(name, params)
    )


def parse_rebalancer(entry: Any, field_name: str) -> ComponentSpec:
    """Validate one rebalancing entry (``none``, ``class_weight``, ``random_over``, ...)."""
    name, params, label, _ = _split_entry(entry, field_name)
    instance = build_instance("rebalancer", name, params, field_name)
    return ComponentSpec(
        "rebalancer", name, params, instance.get_params(deep=False), label or default_label(name, params)
    )


PARSERS = {
    "datasets": parse_dataset,
    "models": parse_model,
    "strategies": parse_strategy,
    "labelers": parse_labeler,
    "updates": parse_update,
    "rebalancing": parse_rebalancer,
}


def parse_protocol(table: Any, base_dir: str | Path | None = None) -> Protocol:
    """Validate the ``[protocol]`` table (a relative ``splits_file`` is taken from ``base_dir``)."""
    if not isinstance(table, dict):
        raise invalid_value("protocol", table, "must be a table")
    _check_keys(table, PROTOCOL_KEYS, "protocol")
    default = Protocol()
    tf = table.get("test_fraction", default.test_fraction)
    if isinstance(tf, bool) or not isinstance(tf, (int, float)) or not 0 < tf < 1:
        raise invalid_value("protocol.test_fraction", tf, "must be a number strictly between 0 and 1")
    if "initial_size" in table and "initial_per_class" in table:
        raise AlbenchInputError("protocol: give either initial_size (a total) or initial_per_class, not both")
    initial_size: int | None = None
    initial_per_class: int | None = None
    if "initial_per_class" in table:
        initial_per_class = _int_field(table, "initial_per_class", "protocol.", 1, 1)
    else:
        initial_size = _int_field(table, "initial_size", "protocol.", default.initial_size or 20, 2)
    batch_size = _int_field(table, "batch_size", "protocol.", default.batch_size, 1)
    budget = table.get("budget", default.budget)
    if isinstance(budget, bool):
        raise invalid_value("protocol.budget", budget, _BUDGET_ALLOWED)
    if isinstance(budget, str):
        if budget != "pool":
            raise invalid_value("protocol.budget", budget, _BUDGET_ALLOWED)
    elif isinstance(budget, float):
        if not 0 < budget <= 1 and not (table.get("budget_unit") == "cost" and budget > 0):
            raise invalid_value("protocol.budget", budget, _BUDGET_ALLOWED)
    elif _is_int(budget):
        if budget < 1:
            raise invalid_value("protocol.budget", budget, _BUDGET_ALLOWED)
    else:
        raise invalid_value("protocol.budget", budget, _BUDGET_ALLOWED)
    metrics = table.get("metrics", list(default.metrics))
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, list) or not metrics:
        raise invalid_value("protocol.metrics", metrics, "must be a non-empty list of metric names")
    for i, m in enumerate(metrics):
        if not isinstance(m, str):
            raise invalid_value(f"protocol.metrics[{i}]", m, "must be a metric name")
        METRICS.get(m, field=f"protocol.metrics[{i}]")
    if len(set(metrics)) != len(metrics):
        raise invalid_value("protocol.metrics", metrics, "must not repeat a metric")
    standardize = table.get("standardize", default.standardize)
    if standardize not in STANDARDIZE:
        raise invalid_value("protocol.standardize", standardize, f"allowed: {', '.join(STANDARDIZE)}")
    budget_unit = table.get("budget_unit", default.budget_unit)
    if budget_unit not in BUDGET_UNITS:
        raise invalid_value("protocol.budget_unit", budget_unit, f"allowed: {', '.join(BUDGET_UNITS)}")
    if budget_unit == "cost" and (isinstance(budget, str) or budget <= 0):
        raise invalid_value(
            "protocol.budget", budget, 'with budget_unit = "cost" it must be a positive amount of cost'
        )
    split = table.get("split", default.split)
    if split not in SPLITS:
        raise invalid_value("protocol.split", split, f"allowed: {', '.join(SPLITS)}")
    test_rounding = table.get("test_rounding", default.test_rounding)
    if test_rounding not in TEST_ROUNDING:
        raise invalid_value("protocol.test_rounding", test_rounding, f"allowed: {', '.join(TEST_ROUNDING)}")
    initial_min_per_class = _int_field(
        table, "initial_min_per_class", "protocol.", default.initial_min_per_class, 1
    )
    if initial_min_per_class != 1 and initial_per_class is not None:
        raise AlbenchInputError(
            "protocol: initial_min_per_class applies to a random initial_size draw, not to initial_per_class"
        )
    splits_file = table.get("splits_file")
    splits_sha256 = None
    if splits_file is not None:
        from albench.datasets.splits import file_sha256, read_splits

        if not isinstance(splits_file, str) or not splits_file:
            raise invalid_value("protocol.splits_file", splits_file, "must be the path of a splits file")
        path = Path(splits_file).expanduser()
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        read_splits(path)
        splits_file, splits_sha256 = str(path.resolve()), file_sha256(path)
    stopping = parse_stopping(table.get("stopping", []))
    stop_set_size = _int_field(table, "stop_set_size", "protocol.", STOP_SET_SIZE, 1)
    pool_subsample = None
    if "pool_subsample" in table:
        pool_subsample = _int_field(table, "pool_subsample", "protocol.", 0, 1)
    return Protocol(
        pool_subsample=pool_subsample,
        stopping=stopping,
        stop_set_size=stop_set_size,
        splits_file=splits_file,
        splits_sha256=splits_sha256,
        standardize=standardize,
        test_fraction=float(tf),
        initial_size=initial_size,
        initial_per_class=initial_per_class,
        batch_size=batch_size,
        budget=budget,
        metrics=tuple(metrics),
        budget_unit=budget_unit,
        split=split,
        test_rounding=test_rounding,
        initial_min_per_class=initial_min_per_class,
    )


_BUDGET_ALLOWED = 'must be a positive integer (labels), a fraction of the pool in (0, 1], or "pool"'


def parse_config(raw: dict, source: str = "<dict>", default_name: str = "experiment") -> Experiment:
    """Validate a config dict (as read from TOML) and fill in defaults.

    Parameters
    ----------
    raw : dict
        The parsed TOML document.
    source : str
        Where it came from, for messages and the manifest.
    default_name : str
        Experiment name when the config does not give one.

    Raises
    ------
    AlbenchInputError
        On the first problem found, naming the field.
    """
    if not isinstance(raw, dict):
        raise AlbenchInputError(f"{source}: the config must be a TOML table")
    _check_keys(raw, TOP_KEYS, "")
    name = raw.get("name", default_name)
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise invalid_value(
            "name",
            name,
            "must be a non-empty name of letters, digits, '.', '_' or '-' (it names the results folder)",
        )
    seed = _int_field(raw, "seed", "", 0, 0)
    repetitions = _int_field(raw, "repetitions", "", 5, 1)
    base_dir = Path(source).parent if Path(source).is_file() else None
    protocol = parse_protocol(raw.get("protocol", {}), base_dir)
    data_dir = raw.get("data_dir")
    if data_dir is not None:
        if not isinstance(data_dir, str) or not data_dir:
            raise invalid_value("data_dir", data_dir, "must be a folder path (relative to the config file)")
        data_path = Path(data_dir).expanduser()
        if base_dir is not None and not data_path.is_absolute():
            data_path = base_dir / data_path
        data_dir = str(data_path.resolve())
    cell_timeout = parse_cell_timeout(raw.get("cell_timeout"), "cell_timeout")
    retries = _int_field(raw, "retries", "", 0, 0)
    aubc_variant = parse_report(raw.get("report", {}))
    grid = raw.get("grid", {})
    if not isinstance(grid, dict):
        raise invalid_value(
            "grid", grid, "must be a table ([grid] with datasets, models, strategies, labelers)"
        )
    _check_keys(grid, GRID_KEYS, "grid")
    suite = raw.get("suite")
    if suite is not None:
        if not isinstance(suite, str):
            raise invalid_value("suite", suite, "must be a suite name")
        if "datasets" in grid:
            raise AlbenchInputError("give either suite or grid.datasets, not both")
    axes: dict[str, tuple[ComponentSpec, ...]] = {}
    defaults = {
        "datasets": suite_datasets(suite) if suite else None,
        "models": ["logistic_regression"],
        "strategies": ["random", "least_confident", "margin", "entropy"],
        "labelers": ["oracle"],
        "updates": [DEFAULT_UPDATE],
        "rebalancing": [DEFAULT_REBALANCING],
    }
    for axis in GRID_KEYS:
        entries = grid.get(axis, defaults[axis])
        if entries is None:
            raise AlbenchInputError("grid.datasets is missing: list the datasets, or name a suite")
        entries = _name_list(entries, f"grid.{axis}")
        specs = [PARSERS[axis](e, f"grid.{axis}[{i}]") for i, e in enumerate(entries)]
        _unique_labels(specs, f"grid.{axis}")
        axes[axis] = tuple(specs)
    return Experiment(
        name=name,
        seed=seed,
        repetitions=repetitions,
        protocol=protocol,
        suite=suite,
        data_dir=data_dir,
        source=source,
        raw=raw,
        cell_timeout=cell_timeout,
        retries=retries,
        aubc_variant=aubc_variant,
        **axes,
    )


def parse_report(table: Any) -> str | None:
    """The ``[report]`` table's AUBC variant (``None`` when not given)."""
    if not isinstance(table, dict):
        raise invalid_value("report", table, "must be a table ([report] with aubc_variant)")
    _check_keys(table, REPORT_KEYS, "report")
    variant = table.get("aubc_variant")
    if variant is None:
        return None
    from albench.analysis.aubc import AUBC_VARIANTS

    if variant not in AUBC_VARIANTS:
        raise invalid_value("report.aubc_variant", variant, f"allowed: {', '.join(sorted(AUBC_VARIANTS))}")
    return variant


def parse_cell_timeout(value: Any, field_name: str) -> float | None:
    """A cell timeout in seconds (a positive number), or ``None`` for no timeout."""
    if value is None:
        return None
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value <= 0:
        raise invalid_value(field_name, value, "must be a positive number of seconds")
    return float(value)


def suite_datasets(suite: str) -> list:
    """Dataset entries of a registered suite."""
    return list(SUITES.get(suite, field="suite").obj["datasets"])


def load_config(path: str | Path) -> Experiment:
    """Read and validate a TOML config file.

    Raises
    ------
    AlbenchInputError
        If the file is missing, is not valid TOML, or fails validation.
    """
    path = Path(path)
    return parse_config(read_toml(path), source=str(path), default_name=path.stem)


def read_toml(path: str | Path) -> dict:
    """Read a TOML config file into a dict, with clear errors for a missing or malformed file."""
    path = Path(path)
    if not path.is_file():
        raise AlbenchInputError(f"config file {str(path)!r} not found")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AlbenchInputError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise AlbenchInputError(f"{path}: not UTF-8 text: {exc}") from None


def _select_entries(entries, names: list) -> list:
    """The axis ``names`` asks for: a name that is the ``label`` of one of the config's table
    entries selects that entry, parameters included (``--strategies us`` picks
    ``{ name = "entropy", label = "us", ... }``); any other name is a registered component
    with its defaults, and a table (``--set grid.strategies=[...]``) stays as given."""
    labelled = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("label"), str):
            labelled.setdefault(entry["label"], entry)
    return [labelled.get(name, name) if isinstance(name, str) else name for name in names]


def apply_overrides(raw: dict, overrides: dict[str, Any]) -> dict:
    """Return a copy of a raw config with command-line overrides applied.

    ``overrides`` keys: ``datasets``, ``models``, ``strategies``, ``labelers``, ``updates``,
    ``rebalancing`` (lists of names), ``repetitions``, ``seed``, ``suite``. ``None`` values
    are ignored. A name in an axis list that is the label of one of the config's entries on
    that axis selects that entry with its parameters; other names are registered components.
    """
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in raw.items()}
    if not isinstance(out.get("grid", {}), dict):
        return out  # parse_config reports it: grid must be a table
    grid = dict(out.get("grid", {}))
    if overrides.get("suite") is not None:
        out["suite"] = overrides["suite"]
        grid.pop("datasets", None)
    for axis in GRID_KEYS:
        if overrides.get(axis) is not None:
            grid[axis] = _select_entries(grid.get(axis), overrides[axis])
            if axis == "datasets":
                out.pop("suite", None)
    if grid:
        out["grid"] = grid
    for key in ("repetitions", "seed"):
        if overrides.get(key) is not None:
            out[key] = overrides[key]
    return out
