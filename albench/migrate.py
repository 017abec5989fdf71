"""Vouch for the stored cells of a results folder written before checksums existed.

``albench migrate RESULTS_DIR`` re-reads every cell file the checksum index does not cover
(a complete Parquet file of this result format, holding the rows of the cell its name says,
round 0 first and no round missing), re-runs a sample of them and compares the rows bit for
bit (timings excepted, as ``albench verify`` does), and only when everything passes appends
their checksums to ``checksums.tsv``. A folder it cannot vouch for is refused with the reason
and left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from albench.errors import AlbenchInputError
from albench.formats import RESULT_FORMAT_VERSION


@dataclass
class MigrationPlan:
    """What :func:`plan_migration` found in a results folder.

    Attributes
    ----------
    unchecked : list of str
        Keys of cell or ceiling files with no checksum line, in key order.
    checked : list of str
        Keys whose files already have a checksum line (left alone).
    problems : dict
        Key -> why its file cannot be vouched for (unreadable, another format, rows of another
        cell, rounds missing).
    """

    unchecked: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)


def reread_problem(path: Path, key: str) -> str | None:
    """Why the file of ``key`` is not a complete stored cell, or ``None`` if it is one.

    The file must be a Parquet file that reads completely, carry this result format version
    in its schema metadata, and hold the rows of ``key`` (its ``cell_key`` or
    ``ceiling_key`` column), with rounds ``0, 1, ..., n`` for a cell.
    """
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - any reader error means: not a complete file
        return (
            f"does not read as Parquet ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        )
    meta = table.schema.metadata or {}
    version = meta.get(b"albench_format")
    if version != str(RESULT_FORMAT_VERSION).encode():
        found = version.decode(errors="replace") if version is not None else "none"
        return f"result format version {found}, expected {RESULT_FORMAT_VERSION}"
    if table.num_rows == 0:
        return "holds no rows"
    column = "ceiling_key" if key.startswith("ceiling-") else "cell_key"
    if column not in table.column_names:
        return f"has no {column} column"
    keys = set(table.column(column).to_pylist())
    if keys != {key}:
        return f"holds the rows of {sorted(map(str, keys))[:2]}, not of {key}"
    if column == "cell_key":
        if "round" not in table.column_names:
            return "has no round column"
        rounds = table.column("round").to_pylist()
        if sorted(rounds) != list(range(len(rounds))):
            return f"rounds are not 0..{len(rounds) - 1} (found {sorted(rounds)[:5]}...)"
    return None


def plan_migration(store, manifest: dict) -> MigrationPlan:
    """Re-read every stored cell and ceiling file without a checksum line.

    Parameters
    ----------
    store : ResultStore
        The results folder.
    manifest : dict
        Its manifest (:meth:`ResultStore.read_manifest`).
    """
    index = store.checksums()
    wanted = set(manifest.get("cells", [])) | set(manifest.get("ceiling", []))
    plan = MigrationPlan()
    for key in sorted((store.stored_keys() | store.ceiling_keys()) & wanted):
        if key in index:
            plan.checked.append(key)
            continue
        problem = reread_problem(store.cell_path(key), key)
        if problem is None:
            plan.unchecked.append(key)
        else:
            plan.problems[key] = problem
    return plan


def write_checksums(store, keys: list[str]) -> None:
    """Append a checksum line for each of ``keys`` (their files as they are now)."""
    for key in keys:
        data = store.cell_path(key).read_bytes()
        store._append_checksum(key, data)


def refuse(message: str) -> AlbenchInputError:
    """The error of a folder migrate cannot vouch for."""
    return AlbenchInputError(f"cannot migrate: {message}; nothing was written")
