"""Compare two ``albench bench`` runs: call a timing difference a change only when it is significant.

Like asv and pytest-benchmark, a difference must pass two tests to count: it is
*significant* (a two-sided Mann-Whitney U test on the raw round times at level ``alpha``;
when a file holds no raw times, the interquartile ranges must not overlap) and it is *large*
(the ratio of medians beyond ``threshold``). Everything else is reported as noise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu

from albench.errors import AlbenchInputError


def load_rounds(json_path: Path) -> pd.DataFrame:
    """Per (case, n): median, quartiles and the raw round times (empty when not stored).

    Raises
    ------
    AlbenchInputError
        When the file is missing or is not a pytest-benchmark JSON file.
    """
    path = Path(json_path)
    try:
        data = json.loads(path.read_text())
        benchmarks = data["benchmarks"]
    except FileNotFoundError:
        raise AlbenchInputError(f"--compare = {str(path)!r}: no such file") from None
    except (ValueError, KeyError, TypeError):
        raise AlbenchInputError(
            f"--compare = {str(path)!r}: not a benchmark.json written by albench bench"
        ) from None
    rows = []
    for b in benchmarks:
        s, extra = b.get("stats", {}), b.get("extra_info", {})
        if "case" not in extra or "n" not in extra or "median" not in s:
            raise AlbenchInputError(f"--compare = {str(path)!r}: entry {b.get('name')!r} lacks case/n/median")
        rows.append(
            {
                "case": extra["case"],
                "n": int(extra["n"]),
                "median_s": float(s["median"]),
                "q1_s": float(s.get("q1", s["median"])),
                "q3_s": float(s.get("q3", s["median"])),
                "data": list(s.get("data", [])),
            }
        )
    return pd.DataFrame(rows)


def _significant(old: pd.Series, new: pd.Series, alpha: float) -> bool:
    a, b = np.asarray(old["data"], float), np.asarray(new["data"], float)
    if a.size >= 3 and b.size >= 3:
        return bool(mannwhitneyu(a, b, alternative="two-sided").pvalue < alpha)
    return bool(new["q1_s"] > old["q3_s"] or new["q3_s"] < old["q1_s"])


def compare_runs(old_json: Path, new_json: Path, threshold: float = 1.2, alpha: float = 0.01) -> pd.DataFrame:
    """One row per (case, n) timed in both runs: old and new medians, ratio, verdict.

    Parameters
    ----------
    old_json, new_json : path
        ``benchmark.json`` files of two runs.
    threshold : float
        A change counts only when ``new / old`` exceeds it (slower) or is below ``1 /
        threshold`` (faster). Must be > 1.
    alpha : float
        Significance level of the Mann-Whitney U test, in (0, 1).

    Returns
    -------
    DataFrame
        Columns case, n, old_s, new_s, ratio, significant, verdict (``slower``, ``faster``
        or ``same``), sorted with the slowdowns first.
    """
    if not threshold > 1:
        raise AlbenchInputError(f"--threshold = {threshold}: must be a number > 1")
    if not 0 < alpha < 1:
        raise AlbenchInputError(f"alpha = {alpha}: must be in (0, 1)")
    old, new = load_rounds(old_json), load_rounds(new_json)
    both = old.merge(new, on=["case", "n"], suffixes=("_old", "_new"))
    rows = []
    for r in both.to_dict("records"):
        o = pd.Series({k[:-4]: v for k, v in r.items() if k.endswith("_old")})
        w = pd.Series({k[:-4]: v for k, v in r.items() if k.endswith("_new")})
        ratio = w["median_s"] / o["median_s"]
        sig = _significant(o, w, alpha)
        verdict = "same"
        if sig and ratio > threshold:
            verdict = "slower"
        elif sig and ratio < 1 / threshold:
            verdict = "faster"
        rows.append(
            {
                "case": r["case"],
                "n": r["n"],
                "old_s": o["median_s"],
                "new_s": w["median_s"],
                "ratio": ratio,
                "significant": sig,
                "verdict": verdict,
            }
        )
    out = pd.DataFrame(rows, columns=["case", "n", "old_s", "new_s", "ratio", "significant", "verdict"])
    order = {"slower": 0, "faster": 1, "same": 2}
    return out.sort_values(["verdict", "ratio"], key=lambda c: c.map(order) if c.name == "verdict" else -c)
