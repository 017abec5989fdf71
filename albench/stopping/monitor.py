"""Configured stopping criteria: parsing ``[protocol] stopping``, and running them over a cell.

The loop integrates the criteria with :class:`StoppingMonitor` (incremental, one call per
round) or :func:`stopping_columns` (the same, over a finished sequence of observations).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from albench.components import component_origin, default_label, signature_params, to_jsonable
from albench.errors import AlbenchInputError, invalid_value
from albench.registry import STOPPING
from albench.stopping.base import RoundObservation, StoppingCriterion

_LABEL_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class StoppingSpec:
    """A configured criterion: registered name, resolved parameters (JSON), column label."""

    name: str
    label: str
    params_json: str = "{}"
    given_json: str = "{}"

    @property
    def params(self) -> dict:
        """Every parameter, defaults included."""
        return json.loads(self.params_json)

    def to_config(self) -> str | dict:
        """As written in a config file."""
        given = json.loads(self.given_json)
        if not given and self.label == self.name:
            return self.name
        out: dict = {"name": self.name, **given}
        if self.label != _default_label(self.name, given):
            out["label"] = self.label
        return out

    def identity(self) -> dict:
        """What a cell key hashes: name, every parameter, label; a plugin criterion's origin too.

        The origin (package version or file content hash, as for every plugin component) makes
        an edited plugin criterion re-run exactly the cells that observe it.
        """
        out = {"name": self.name, "params": self.params, "label": self.label}
        origin = component_origin("stopping", self.name)
        if origin is not None:
            out["origin"] = origin
        return out

    def build(self) -> StoppingCriterion:
        """A fresh criterion instance (no history)."""
        crit = STOPPING.get(self.name).obj(**self.params)
        crit.reset()
        return crit

    @property
    def value_column(self) -> str:
        """``stop_<label>_value``: the monitored value per round."""
        return f"stop_{self.label}_value"

    @property
    def stop_column(self) -> str:
        """``stop_<label>``: whether the rule is met at that round."""
        return f"stop_{self.label}"


def _default_label(name: str, params: dict) -> str:
    if not params:
        return name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", default_label(name, params)).strip("_")


def parse_stopping_entry(entry: Any, field: str) -> StoppingSpec:
    """Validate one ``stopping`` entry: a name, or a table ``{name = ..., <params>, label = ...}``.

    Raises
    ------
    AlbenchInputError
        Unknown name (listing the registered criteria), unknown or bad parameter, bad label.
    """
    if isinstance(entry, str):
        name, given, label = entry, {}, None
    elif isinstance(entry, dict):
        if not isinstance(entry.get("name"), str):
            raise invalid_value(field, entry, "a table entry needs a string 'name' key")
        name = entry["name"]
        given = {k: v for k, v in entry.items() if k not in ("name", "label")}
        label = entry.get("label")
        if label is not None and (not isinstance(label, str) or not _LABEL_RE.match(label)):
            raise invalid_value(f"{field}.label", label, "must be a name of letters, digits, '_', '.' or '-'")
    else:
        raise invalid_value(field, entry, "must be a criterion name or a table with a 'name' key")
    obj = STOPPING.get(name, field=field).obj
    resolved = signature_params(obj, "stopping criterion", name, given, field)
    try:
        crit = obj(**resolved)
        crit.validate()
    except (TypeError, ValueError) as exc:
        raise AlbenchInputError(f"{field}: stopping criterion {name!r}: {exc}") from None
    return StoppingSpec(
        name=name,
        label=label or _default_label(name, given),
        params_json=json.dumps(to_jsonable(crit.get_params()), sort_keys=True),
        given_json=json.dumps(to_jsonable(given), sort_keys=True),
    )


def parse_stopping(value: Any, field: str = "protocol.stopping") -> tuple[StoppingSpec, ...]:
    """Validate the ``stopping`` list of the protocol (an empty list: no criteria)."""
    if isinstance(value, (str, dict)):
        value = [value]
    if not isinstance(value, list):
        raise invalid_value(field, value, "must be a list of criterion names or tables with a 'name' key")
    specs = tuple(parse_stopping_entry(e, f"{field}[{i}]") for i, e in enumerate(value))
    seen: dict[str, int] = {}
    for i, s in enumerate(specs):
        if s.label in seen:
            raise AlbenchInputError(
                f"{field}[{i}]: {s.label!r} appears twice (also at [{seen[s.label]}]); "
                "give one a different 'label'"
            )
        seen[s.label] = i
    return specs


class StoppingMonitor:
    """Runs configured criteria over one cell, round by round.

    Parameters
    ----------
    specs : sequence of StoppingSpec
        The protocol's criteria; each gets a fresh instance.

    Examples
    --------
    In the loop, after the round's model is fitted and evaluated and before the strategy
    queries::

        monitor = StoppingMonitor(protocol.stopping)       # once per cell
        ...
        row.update(monitor.observe(RoundObservation(...)))  # once per round, in order
    """

    def __init__(self, specs: Sequence[StoppingSpec]) -> None:
        self.specs = tuple(specs)
        self._criteria = [s.build() for s in self.specs]

    @property
    def columns(self) -> list[str]:
        """Column names this monitor adds to every row, in order."""
        return [c for s in self.specs for c in (s.value_column, s.stop_column)]

    def observe(self, obs: RoundObservation) -> dict[str, float | bool]:
        """Feed one round to every criterion; return ``{stop_<label>_value: float, stop_<label>: bool}``."""
        out: dict[str, float | bool] = {}
        for spec, crit in zip(self.specs, self._criteria, strict=True):
            answer = crit.observe(obs)
            out[spec.value_column] = float(answer["value"])
            out[spec.stop_column] = bool(answer["would_stop"])
        return out


def stopping_columns(
    specs: Sequence[StoppingSpec], observations: Iterable[RoundObservation]
) -> dict[str, list[float | bool]]:
    """Run every configured criterion over a cell's observations; per-round columns.

    This is the pure function the simulation loop integrates (equivalently, round by round,
    through :class:`StoppingMonitor`, which it is built on). How the loop must call it:

    1. Once per cell, before round 0, draw the stop set with
       :func:`albench.stopping.base.draw_stop_set` from the *initial* pool (training part
       minus the initial labeled set) and the cell's ``(seed, dataset.seed_name(),
       repetition)``; never from the strategy's generator, so strategies share stop sets.
    2. Each round ``r`` (0 .. n_rounds), after fitting the round's model and evaluating it,
       and before the strategy queries, build one :class:`RoundObservation` with ``round =
       r``, ``n_labeled`` of the model, ``spent`` labels after the initial set, the cell's
       ``budget`` and ``n_classes``, the model's ``predict`` on the stop set (``stop_pred``,
       class indices 0..K-1) and, when the model has them, ``predict_proba`` /
       ``decision_function`` there; the current pool positions with the same three outputs
       on them; and the batch labeled since the previous round (``queried``, positions)
       with its scores if the strategy gave any. Pass the arrays as they are: the
       observation copies them read-only, so no criterion can touch the loop's state.
    3. Add the returned entries to that round's row. The columns are exactly
       :attr:`StoppingMonitor.columns` (``stop_<label>_value`` float, ``stop_<label>`` bool)
       for every round, so every row of a cell has the same columns.
    4. Never let the answers steer the loop: criteria are observers (DESIGN invariant 10).
       Only predictions of models the loop fits anyway are passed, and no random generator
       of the run is handed out, so the rows' other values do not change.

    Parameters
    ----------
    specs : sequence of StoppingSpec
        The configured criteria (``Protocol.stopping``).
    observations : iterable of RoundObservation
        The cell's rounds, in order, round 0 first.

    Returns
    -------
    dict
        Column name -> one value per observation.
    """
    monitor = StoppingMonitor(specs)
    columns: dict[str, list[float | bool]] = {c: [] for c in monitor.columns}
    for obs in observations:
        for k, v in monitor.observe(obs).items():
            columns[k].append(v)
    return columns
