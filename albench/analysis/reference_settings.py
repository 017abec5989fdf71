"""A reference's ``[strategies]`` section: which albench configuration replays each published column.

A published strategy name maps either to an albench label (``uniform = "random"``), or to the
configuration that replays it, as an inline table: the albench strategy ``name``, its
parameters, an optional ``query_model`` (a model label) and the ``label`` the results carry
(by default the published name)::

    [strategies]
    uniform = "random"
    us = { name = "entropy", query_model = "lr-c0.1", label = "us-nc" }

For a column given as a configuration, :func:`settings_mismatch` tells whether the results
of that label were run with it: every parameter named in the reference must equal the one
recorded in the results' ``strategy_params``, and the query model's label must match, so a
column is never compared with a differently configured run that happens to share its label.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from albench.errors import AlbenchInputError

#: Keys of a configuration table that are not strategy parameters.
SETTING_KEYS = ("name", "label", "query_model")


@dataclass(frozen=True)
class StrategySetting:
    """The albench configuration that replays one published column.

    Attributes
    ----------
    name : str
        Registered albench strategy.
    label : str
        Label the results carry for it.
    params : dict
        Parameters the results must have been run with (a subset of ``get_params``).
    query_model : str or None
        Label of the query model the results must record (None: not checked).
    """

    name: str
    label: str
    params: dict = field(default_factory=dict)
    query_model: str | None = None

    def describe(self) -> str:
        """``name(k=v, ...)``, with the query model when set."""
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        text = f"{self.name}({args})"
        return f"{text} with query model {self.query_model!r}" if self.query_model else text


def parse_strategy_map(raw: dict, where: str) -> tuple[dict[str, str], dict[str, StrategySetting]]:
    """Read ``[strategies]``: published name to albench label, and the configurations given.

    Returns
    -------
    labels : dict
        Published name to the albench label the results carry.
    settings : dict
        Albench label to its :class:`StrategySetting`, for the columns given as tables.

    Raises
    ------
    AlbenchInputError
        Not a table; an entry neither a non-empty string nor a table with a ``name``; a label
        or query model that is not a non-empty string; two columns with the same label.
    """
    table = raw.get("strategies", {})
    if not isinstance(table, dict):
        raise AlbenchInputError(
            f"{where}: [strategies] = {table!r}: must be a table of published name = albench "
            "label, or = {{ name = ..., <parameters> }}"
        )
    labels: dict[str, str] = {}
    settings: dict[str, StrategySetting] = {}
    for published, value in table.items():
        at = f"{where}: strategies.{published}"
        if isinstance(value, str) and value.strip():
            labels[published] = value
            continue
        if not isinstance(value, dict):
            raise AlbenchInputError(
                f"{at} = {value!r}: must be an albench label (a non-empty string) or a table "
                "{ name = <albench strategy>, <parameters>, query_model = <label>, label = <label> }"
            )
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            raise AlbenchInputError(f"{at}.name = {name!r}: must name the albench strategy")
        label = value.get("label", published)
        query_model = value.get("query_model")
        for key, text in (("label", label), ("query_model", query_model)):
            if text is not None and (not isinstance(text, str) or not text.strip()):
                raise AlbenchInputError(f"{at}.{key} = {text!r}: must be a non-empty string (a label)")
        if label in settings:
            raise AlbenchInputError(f"{at}.label = {label!r}: already used by another column")
        params = {k: v for k, v in value.items() if k not in SETTING_KEYS}
        labels[published] = label
        settings[label] = StrategySetting(name=name, label=label, params=params, query_model=query_model)
    return labels, settings


def _same(ours, theirs) -> bool:
    if isinstance(theirs, float) or isinstance(ours, float):
        try:
            return math.isclose(float(ours), float(theirs), rel_tol=1e-12, abs_tol=0.0)
        except (TypeError, ValueError):
            return False
    if isinstance(theirs, list) and isinstance(ours, list):
        return len(ours) == len(theirs) and all(_same(a, b) for a, b in zip(ours, theirs, strict=True))
    if isinstance(theirs, dict) and isinstance(ours, dict):
        return set(ours) == set(theirs) and all(_same(ours[k], theirs[k]) for k in theirs)
    return ours == theirs


def settings_mismatch(rows: pd.DataFrame, setting: StrategySetting) -> str | None:
    """Why the results ``rows`` (one label) were not run with ``setting``; None when they were.

    Parameters
    ----------
    rows : DataFrame
        Result rows of one strategy label, with ``strategy_params`` (JSON) and ``query_model``.
    setting : StrategySetting
        The reference's configuration of that label.
    """
    for text in pd.unique(rows["strategy_params"]) if "strategy_params" in rows else [None]:
        recorded = json.loads(text) if isinstance(text, str) and text else {}
        for key, wanted in setting.params.items():
            if key not in recorded:
                return f"ran without parameter {key!r} (the reference replays it as {setting.describe()})"
            if not _same(recorded[key], wanted):
                return (
                    f"ran with {key}={recorded[key]!r}, the reference replays it with {key}={wanted!r} "
                    f"({setting.describe()})"
                )
    if setting.query_model is not None and "query_model" in rows:
        seen = sorted(set(rows["query_model"].astype(str)))
        if seen != [setting.query_model]:
            return (
                f"ran with query model {', '.join(map(repr, seen))}, the reference replays it with "
                f"{setting.query_model!r}"
            )
    return None
