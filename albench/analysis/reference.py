"""Published results as data, and how albench's results compare with them.

A reference file (TOML, format described in ``docs/reproducing.md``) lists, per data set and
strategy, the published mean and standard deviation of a per-run AUBC, the number of runs,
the metric, the AUBC variant, the source and the citation, and maps the published data set
and strategy names to albench labels. :func:`compare_to_reference` puts albench's per-cell
AUBCs (same metric, same variant) next to them with a two-sample z-score,

.. math:: z = \\frac{m_1 - m_2}{\\sqrt{s_1^2 / n_1 + s_2^2 / n_2}},

from the standard errors of both means. The reference files albench ships live in
``albench/references``; :func:`load_reference` takes one of their names or a path.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from albench.analysis.aubc import AUBC_VARIANTS, aubc_per_cell
from albench.analysis.reference_settings import parse_strategy_map, settings_mismatch
from albench.analysis.reference_types import REFERENCE_FORMAT, Reference
from albench.errors import AlbenchInputError, invalid_value

TOP_KEYS = (
    "format",
    "name",
    "title",
    "metric",
    "aubc_variant",
    "std_ddof",
    "source",
    "citation",
    "datasets",
    "strategies",
    "result",
)
RESULT_KEYS = ("dataset", "strategy", "mean", "std", "n", "metric", "aubc_variant", "source", "citation")
#: Keys a [[result]] may take from the top level.
INHERITED = ("metric", "aubc_variant", "source", "citation")
REFERENCE_COLUMNS = [
    "dataset",
    "strategy",
    "published_dataset",
    "published_strategy",
    "mean",
    "std",
    "n",
    "metric",
    "aubc_variant",
    "source",
    "citation",
]
COMPARISON_COLUMNS = [
    "dataset",
    "model",
    "labeler",
    "strategy",
    "published_dataset",
    "published_strategy",
    "metric",
    "aubc_variant",
    "ours_mean",
    "ours_std",
    "ours_n",
    "published_mean",
    "published_std",
    "published_n",
    "difference",
    "z",
    "verdict",
    "source",
    "note",
]


def builtin_references() -> dict[str, Path]:
    """Name to path of the reference files shipped with albench."""
    folder = resources.files("albench") / "references"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".toml")}


def _text(value, field: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AlbenchInputError(f"{where}: {field} = {value!r}: must be a non-empty string")
    return value


def _mapping(raw: dict, key: str, where: str) -> dict[str, str]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise AlbenchInputError(
            f"{where}: [{key}] = {table!r}: must be a table of published name = albench label"
        )
    for k, v in table.items():
        _text(v, f"{key}.{k}", where)
    return dict(table)


def parse_reference(raw: dict, where: str = "<reference>") -> Reference:
    """Validate a reference file's content (a dict as TOML reads it).

    Raises
    ------
    AlbenchInputError
        Unknown or missing keys, wrong types, a negative standard deviation, fewer than one
        run, an unknown AUBC variant, or a (data set, strategy) given twice, naming the field,
        the value and what is allowed.
    """
    kind = raw.get("kind", "aubc")
    if kind == "labels_to_target":
        from albench.analysis.target_reference import parse_target_reference

        return parse_target_reference(raw, where)
    if kind != "aubc":
        raise invalid_value(f"{where}: kind", kind, "must be 'aubc' (the default) or 'labels_to_target'")
    unknown = [k for k in raw if k not in (*TOP_KEYS, "kind")]
    if unknown:
        raise AlbenchInputError(f"{where}: unknown key {unknown[0]!r}; allowed keys: {', '.join(TOP_KEYS)}")
    fmt = raw.get("format")
    if fmt != REFERENCE_FORMAT:
        raise AlbenchInputError(f"{where}: format = {fmt!r}: must be {REFERENCE_FORMAT}")
    name = _text(raw.get("name"), "name", where)
    title = raw.get("title", name)
    ddof = raw.get("std_ddof", 1)
    if ddof not in (0, 1) or isinstance(ddof, bool):
        raise AlbenchInputError(f"{where}: std_ddof = {ddof!r}: must be 0 or 1")
    datasets = _mapping(raw, "datasets", where)
    strategies, settings = parse_strategy_map(raw, where)
    results = raw.get("result")
    if not isinstance(results, list) or not results:
        raise AlbenchInputError(
            f"{where}: result = {results!r}: must be a non-empty array of [[result]] tables"
        )
    rows = []
    for i, res in enumerate(results):
        at = f"{where}: result[{i}]"
        if not isinstance(res, dict):
            raise AlbenchInputError(f"{at} = {res!r}: must be a table")
        bad = [k for k in res if k not in RESULT_KEYS]
        if bad:
            raise AlbenchInputError(f"{at}: unknown key {bad[0]!r}; allowed keys: {', '.join(RESULT_KEYS)}")
        row = {k: res.get(k, raw.get(k)) for k in INHERITED}
        for k in INHERITED:
            _text(row[k], k, at)
        if row["aubc_variant"] not in AUBC_VARIANTS:
            raise invalid_value(
                f"{at}.aubc_variant", row["aubc_variant"], f"known: {', '.join(sorted(AUBC_VARIANTS))}"
            )
        pub_d, pub_s = _text(res.get("dataset"), "dataset", at), _text(res.get("strategy"), "strategy", at)
        mean, std, n = res.get("mean"), res.get("std"), res.get("n")
        for key, value in (("mean", mean), ("std", std)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise invalid_value(f"{at}.{key}", value, "must be a finite number")
        if std < 0:
            raise invalid_value(f"{at}.std", std, "must be >= 0")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise invalid_value(f"{at}.n", n, "must be an integer >= 1 (runs behind the mean)")
        rows.append(
            {
                "dataset": datasets.get(pub_d, pub_d),
                "strategy": strategies.get(pub_s, pub_s),
                "published_dataset": pub_d,
                "published_strategy": pub_s,
                "mean": float(mean),
                "std": float(std),
                "n": int(n),
                **row,
            }
        )
    table = pd.DataFrame(rows, columns=REFERENCE_COLUMNS)
    dup = table.duplicated(["dataset", "strategy"], keep=False)
    if dup.any():
        first = table[dup].iloc[0]
        raise AlbenchInputError(
            f"{where}: dataset {first['dataset']!r} x strategy {first['strategy']!r} is given more than once"
        )
    return Reference(
        name=name, title=str(title), path=where, std_ddof=int(ddof), table=table, strategy_settings=settings
    )


def load_reference(ref: str | Path) -> Reference:
    """Read a reference file: a path, or the name of one albench ships (e.g. ``lu2025-binary``).

    Raises
    ------
    AlbenchInputError
        No such file or name (listing the shipped names), unreadable TOML, or a bad file
        (:func:`parse_reference`).
    """
    path = Path(ref)
    builtin = builtin_references()
    if not path.is_file():
        if str(ref) in builtin:
            path = builtin[str(ref)]
        else:
            raise AlbenchInputError(
                f"--reference = {str(ref)!r}: no such file, nor a shipped reference; shipped: "
                f"{', '.join(sorted(builtin)) or '(none)'}"
            )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AlbenchInputError(f"reference file {str(path)!r}: not valid TOML ({exc})") from None
    return parse_reference(raw, where=str(path))


def z_score(mean1: float, std1: float, n1: int, mean2: float, std2: float, n2: int) -> float:
    """Two-sample z of the difference of two means, from both standard errors.

    ``(mean1 - mean2) / sqrt(std1**2 / n1 + std2**2 / n2)``; with both standard errors zero it
    is 0 for equal means and +-inf otherwise; NaN when a standard deviation is unknown.
    """
    if any(isinstance(v, float) and math.isnan(v) for v in (mean1, std1, mean2, std2)) or n1 < 1 or n2 < 1:
        return float("nan")
    se = math.sqrt(std1**2 / n1 + std2**2 / n2)
    diff = mean1 - mean2
    if se == 0:
        return 0.0 if diff == 0 else math.copysign(math.inf, diff)
    return diff / se


def verdict(z: float, max_z: float) -> str:
    """``"consistent"`` when ``|z| <= max_z``, ``"higher"``/``"lower"`` beyond, ``"too few runs"`` for NaN."""
    if math.isnan(z):
        return "too few runs"
    if abs(z) <= max_z:
        return "consistent"
    return "higher" if z > 0 else "lower"


def compare_to_reference(df: pd.DataFrame, reference: Reference, max_z: float = 3.5) -> pd.DataFrame:
    """albench's mean AUBC per (data set, model, labeler, strategy) next to the published one.

    Each group's AUBC uses the metric and AUBC variant of its reference row. Only groups
    present in both appear.

    Parameters
    ----------
    df : DataFrame
        Rows as :func:`albench.load_results` returns them.
    reference : Reference
        From :func:`load_reference`.
    max_z : float
        Threshold of the verdict: ``|z| <= max_z`` is "consistent".

    Returns
    -------
    DataFrame
        :data:`COMPARISON_COLUMNS`, sorted by reference order; for a reference of kind
        ``labels_to_target``, :func:`~albench.analysis.target_reference.compare_labels_to_target`
        (its own columns and tolerance; ``max_z`` unused).

    Raises
    ------
    AlbenchInputError
        ``max_z`` not positive, a metric missing from the results, or no group in common
        (naming what the results and the reference hold).
    """
    if reference.kind == "labels_to_target":
        from albench.analysis.target_reference import compare_labels_to_target

        return compare_labels_to_target(df, reference)
    if isinstance(max_z, bool) or not isinstance(max_z, (int, float)) or not max_z > 0:
        raise invalid_value("--max-z", max_z, "must be a positive number")
    ref = reference.table.reset_index(drop=True).assign(order=lambda t: np.arange(len(t)))
    in_results = set(zip(df["dataset"], df["strategy"], strict=True)) if not df.empty else set()
    wanted = ref[[(d, s) in in_results for d, s in zip(ref["dataset"], ref["strategy"], strict=True)]]
    if wanted.empty:
        have_d = sorted(set(df["dataset"])) if not df.empty else []
        have_s = sorted(set(df["strategy"])) if not df.empty else []
        ref_d, ref_s = sorted(set(ref["dataset"])), sorted(set(ref["strategy"]))
        raise AlbenchInputError(
            f"reference {reference.name!r}: no dataset x strategy of the results is in it (results: "
            f"datasets {', '.join(have_d) or '(none)'}; strategies {', '.join(have_s) or '(none)'}; "
            f"reference: datasets {', '.join(ref_d)}; strategies {', '.join(ref_s)})"
        )
    parts = []
    for (metric, variant), rows in wanted.groupby(["metric", "aubc_variant"], sort=False):
        keys = set(zip(rows["dataset"], rows["strategy"], strict=True))
        sub = df[[(d, s) in keys for d, s in zip(df["dataset"], df["strategy"], strict=True)]]
        cells = aubc_per_cell(sub, metric, variant)
        ours = (
            cells.groupby(["dataset", "model", "labeler", "strategy"])["aubc"]
            .agg(ours_mean="mean", ours_std=lambda a: a.std(ddof=reference.std_ddof), ours_n="count")
            .reset_index()
        )
        parts.append(ours.merge(rows, on=["dataset", "strategy"], how="inner"))
    out = pd.concat(parts, ignore_index=True).rename(
        columns={"mean": "published_mean", "std": "published_std", "n": "published_n"}
    )
    out["difference"] = out["ours_mean"] - out["published_mean"]
    out["z"] = [
        z_score(r.ours_mean, r.ours_std, r.ours_n, r.published_mean, r.published_std, r.published_n)
        for r in out.itertuples()
    ]
    out["verdict"] = [verdict(z, max_z) for z in out["z"]]
    out["note"] = ""
    for label, why in _other_settings(df, reference).items():
        out.loc[out["strategy"] == label, ["verdict", "note"]] = [OTHER_SETTINGS, why]
    out = out.sort_values(["order", "model", "labeler"], kind="stable").reset_index(drop=True)
    return out[COMPARISON_COLUMNS]


#: Verdict prefix of a group whose results were not run with the reference's configuration.
OTHER_SETTINGS = "other settings"


def _other_settings(df: pd.DataFrame, reference: Reference) -> dict[str, str]:
    """Label to why its results differ from the configuration the reference gives it."""
    found = {}
    for label, setting in reference.strategy_settings.items():
        rows = df[df["strategy"] == label]
        if not rows.empty and (why := settings_mismatch(rows, setting)):
            found[label] = why
    return found


def settings_notes(comparison: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, why) of each strategy whose results were not run with the reference's configuration."""
    if "note" not in comparison:
        return []
    flagged = comparison.loc[comparison["note"] != "", ["strategy", "note"]].drop_duplicates()
    return [(str(label), str(note)) for label, note in flagged.to_numpy()]


def beyond(comparison: pd.DataFrame, max_z: float) -> pd.DataFrame:
    """The groups that fail a check: ``|z| > max_z``, z unknown (fewer than 2 runs), or results
    not run with the configuration the reference gives the column (verdict "other settings").

    For a ``labels_to_target`` comparison: every verdict but "consistent".
    """
    if "published_labels" in comparison.columns:
        return comparison[comparison["verdict"] != "consistent"]
    z = comparison["z"].to_numpy(dtype=np.float64)
    other = (comparison["verdict"] == OTHER_SETTINGS).to_numpy()
    return comparison[~(np.abs(z) <= max_z) | other]
