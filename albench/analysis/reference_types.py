"""What a loaded reference file is: the :class:`Reference` record and the file format's version.

Apart from the parsers (:mod:`albench.analysis.reference` for mean-AUBC tables,
:mod:`albench.analysis.target_reference` for labels-to-target tables) so that both build it
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Version of the reference file format (``format = 1``).
REFERENCE_FORMAT = 1


@dataclass(frozen=True)
class Reference:
    """A loaded reference file.

    Attributes
    ----------
    name, title : str
        Short name and one-line description.
    path : str
        Where it was read from.
    std_ddof : int
        Delta degrees of freedom of the published standard deviations (albench uses the same
        for its own).
    table : DataFrame
        One row per (data set, strategy): :data:`REFERENCE_COLUMNS`, with ``dataset`` and
        ``strategy`` as albench labels and the published names beside them.
    """

    name: str
    title: str
    path: str
    std_ddof: int
    table: pd.DataFrame
    #: ``"aubc"`` (mean AUBC per group, this module) or ``"labels_to_target"``
    #: (:mod:`albench.analysis.target_reference`).
    kind: str = "aubc"
    #: Tolerance of a ``labels_to_target`` reference: published / f - s .. published x f + s.
    tolerance_factor: float = 1.5
    tolerance_labels: float = 0.0
    #: Label to the configuration that replays a published column, for the columns whose
    #: ``[strategies]`` entry is a table (:mod:`albench.analysis.reference_settings`).
    strategy_settings: dict = field(default_factory=dict)
