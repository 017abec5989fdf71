"""Per-strategy styles stay consistent and distinguishable; figures render with many strategies."""

import numpy as np
import pandas as pd

from albench.analysis.curves import mean_curves
from albench.analysis.stats import block_ranks, friedman_nemenyi, problem_table
from albench.analysis.summary import aggregate, cell_summary
from albench.report import plots


def test_styles_distinct_and_stable():
    names = ["random"] + [f"s{i}" for i in range(30)]
    styles = plots.strategy_styles(names)
    triples = {(v["color"], v["marker"], str(v["linestyle"])) for v in styles.values()}
    assert len(triples) == len(names)
    assert len({styles[n]["color"] for n in names[:19]}) == 19  # 18 distinct colours + random's grey
    assert styles["random"]["color"] == plots.REFERENCE_COLOR
    # the same list gives the same styles (every figure of a report uses one mapping)
    assert plots.strategy_styles(names) == styles


def test_text_escapes_mathtext():
    assert plots.text("a$b$") == "a\\$b\\$"


def _synthetic(n_strategies: int = 20, n_datasets: int = 3, reps: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for d in range(n_datasets):
        for s in range(n_strategies):
            name = "random" if s == 0 else f"strategy_{s:02d}"
            for r in range(reps):
                y = np.clip(0.5 + 0.04 * np.arange(6) + rng.normal(0, 0.02, 6) + 0.002 * s, 0, 1)
                for t in range(6):
                    rows.append(
                        dict(
                            dataset=f"d{d}",
                            model="m",
                            labeler="oracle",
                            strategy=name,
                            repetition=r,
                            round=t,
                            n_labeled=10 + 10 * t,
                            accuracy=y[t],
                            query_seconds=1e-3 * (1 + s) * (t < 5),
                            cell_key=f"{d}-{s}-{r}",
                            queried=[1] if t < 5 else [],
                        )
                    )
    return pd.DataFrame(rows)


def test_figures_with_20_strategies(tmp_path):
    df = _synthetic()
    strategies = list(dict.fromkeys(df["strategy"]))
    styles = plots.strategy_styles(strategies)
    cells = cell_summary(df)
    fr = friedman_nemenyi(problem_table(cells))
    figs = {
        "lc": plots.plot_learning_curves(
            mean_curves(df, n_boot=50),
            "d0",
            strategies,
            styles,
            "accuracy",
            pd.DataFrame({"dataset": ["d0"], "model": ["m"], "ceiling": [0.9]}),
        ),
        "heat": plots.plot_aubc_heatmap(
            aggregate(cells, n_boot=50), strategies, styles, "accuracy", "trapezoid"
        ),
        "cd": plots.plot_cd_diagram(fr, styles),
        "ranks": plots.plot_rank_distribution(block_ranks(cells), list(fr.mean_ranks.index), styles),
        "qt": plots.plot_query_time(df, strategies, styles),
    }
    for name, fig in figs.items():
        saved = plots.save_figure(fig, tmp_path, name, dpi=50)
        assert saved["png"].stat().st_size > 1000
    legend = figs["lc"].legends[0]
    assert len(legend.get_texts()) == 21  # 20 strategies + the ceiling
    assert legend.get_bbox_to_anchor().x0 >= figs["lc"].bbox.x1 - 1  # outside the axes, on the right
