"""Exceptions albench raises for bad input and for a lost parallel backend."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


class AlbenchInputError(ValueError):
    """Bad input from the user: a config, a flag, a dataset or a plugin.

    The CLI turns it into a one-line message and exit status 2; nothing is written.
    """


class BackendLost(RuntimeError):
    """The parallel backend (a Dask scheduler, a Ray head node) went away during a run.

    Cells stored before stay valid; the CLI prints one line and exits with status 1, and
    running the same command again resumes.
    """


def invalid_value(field: str, value: object, allowed: str) -> AlbenchInputError:
    """Build the canonical error for a bad field value.

    Parameters
    ----------
    field : str
        Dotted path of the field, e.g. ``"protocol.batch_size"``.
    value : object
        The offending value.
    allowed : str
        What is allowed, in words.
    """
    return AlbenchInputError(f"{field} = {value!r}: {allowed}")


def _plural(kind: str) -> str:
    """``strategy`` -> ``strategies``, ``model`` -> ``models``."""
    return kind[:-1] + "ies" if kind.endswith("y") and kind[-2:-1] not in "aeiou" else kind + "s"


def unknown_name(kind: str, name: str, known: Iterable[str], field: str | None = None) -> AlbenchInputError:
    """Build the error for a name that no registry entry carries, with a suggestion."""
    known = sorted(known)
    where = f"{field} = {name!r}" if field else f"{kind} {name!r}"
    close = get_close_matches(name, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return AlbenchInputError(
        f"{where}: unknown {kind}.{hint} Registered {_plural(kind)}: {', '.join(known) or '(none)'}"
    )
