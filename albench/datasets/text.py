"""Text loaders: ``LABEL TEXT`` lines and CSV/TSV tables with a text column.

Files are decoded with the given ``encoding`` (a decoding error names the file, the line and
the byte) and split on ``"\\n"`` only: ``str.splitlines`` would also split on the NEL byte
(U+0085) that the MR and Subj files hold inside examples, and on other Unicode separators.
A trailing ``"\\r"`` (Windows line ends) is removed from each line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from albench.errors import AlbenchInputError

ENCODING_ERRORS = ("strict", "replace")


def decode_file(path: Path, encoding: str = "utf-8", errors: str = "strict") -> str:
    """The file's text; an unknown encoding or an undecodable byte is an input error.

    Raises
    ------
    AlbenchInputError
        Naming the encoding (unknown ones), or the line and byte that do not decode.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise AlbenchInputError(
            f"{path}: encoding = {encoding!r}: unknown encoding; use a Python codec name such as "
            "'utf-8' or 'latin-1'"
        ) from None
    if errors not in ENCODING_ERRORS:
        raise AlbenchInputError(
            f"{path}: encoding_errors = {errors!r}: allowed: {', '.join(ENCODING_ERRORS)}"
        )
    data = path.read_bytes()
    try:
        return data.decode(encoding, errors=errors)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise AlbenchInputError(
            f"{path}, line {line}: byte 0x{data[exc.start]:02x} is not valid {encoding}; set encoding "
            "(e.g. 'latin-1') or encoding_errors = 'replace'"
        ) from None


def split_lines(text: str) -> list[str]:
    """Lines split on ``"\\n"`` only, each without a trailing ``"\\r"``; a final empty line dropped."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def read_text_lines(
    path: Path,
    *,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    header: bool = False,
    labels: Sequence[str] | None = None,
    coarse_labels: bool = False,
    on_bad_line: str = "error",
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Texts and labels of a ``LABEL TEXT`` file (label, one space or tab, the text).

    A line that starts with white space has no label (bad). A label with no text after it
    is kept as an empty text (CR and MPQA hold a few) and counted in the notes.

    Parameters
    ----------
    header : bool
        Skip the first line.
    labels : list of str, optional
        The allowed labels; a line starting with anything else is bad (it catches lines
        broken inside an example, which start with a word).
    coarse_labels : bool
        Keep the label up to its first ``":"`` (TREC's ``DESC:manner`` -> ``DESC``).
    on_bad_line : {"error", "skip"}
        A line without a label: an input error naming it, or skip it (counted).

    Returns
    -------
    (texts as an object array, labels as str, notes)
    """
    lines = split_lines(decode_file(path, encoding, encoding_errors))
    allowed = None if labels is None else {str(v) for v in labels}
    texts, ys, bad, blank, empty = [], [], [], 0, 0
    for number, line in enumerate(lines, start=1):
        if header and number == 1:
            continue
        if not line.strip():
            blank += 1
            continue
        parts = line.split(None, 1)
        label = parts[0]
        text = parts[1].strip() if len(parts) > 1 else ""
        problem = ""
        if line[0].isspace():
            problem = "no label at the start of the line (expected 'LABEL TEXT')"
        elif allowed is not None and label not in allowed:
            problem = (
                f"{label!r} is not a label (expected one of {', '.join(sorted(allowed))} first, "
                "then the text; a line broken inside an example?)"
            )
        if problem:
            if on_bad_line == "skip":
                bad.append(number)
                continue
            raise AlbenchInputError(f"{path}, line {number}: {problem}")
        if coarse_labels:
            label = label.split(":", 1)[0]
        empty += not text
        texts.append(text)
        ys.append(label)
    notes: dict = {}
    if blank:
        notes["blank_lines_skipped"] = blank
    if empty:
        notes["empty_texts"] = empty
    if bad:
        notes["bad_lines_skipped"] = len(bad)
        notes["bad_lines"] = bad[:20]
    return np.asarray(texts, dtype=object), np.asarray(ys, dtype=str), notes


def read_text_table(
    path: Path,
    *,
    text_column: str | int | Sequence[str | int] = "text",
    target: str | int | None = None,
    sep: str | None = None,
    header: bool = True,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    quoting: str | None = None,
    on_bad_line: str = "error",
) -> tuple[np.ndarray, np.ndarray, dict]:
    """Texts and labels from a CSV/TSV file.

    Parameters
    ----------
    text_column : column name or 0-based index, or a list of them
        The text; several columns are joined with a space (AG News: title and description).
    target : column name or index
        The label column (default: the first column that is not a text column).
    sep : str
        Field separator (default ``","``; ``"\\t"`` for ``.tsv`` files and tab-separated files
        without a suffix are detected from the first line).
    header : bool
        Whether the first row names the columns (without it, columns are 0, 1, ...).
    quoting : {"minimal", "none"}
        CSV quoting: ``"minimal"`` (fields may be quoted, ``""`` escapes a quote), or ``"none"``
        (quotes are text). Default: ``"none"`` for tab-separated files, else ``"minimal"``.
    """
    text = decode_file(path, encoding, encoding_errors)
    if sep is None:
        first = text.split("\n", 1)[0]
        sep = "\t" if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first) else ","
    if quoting is None:
        quoting = "none" if sep == "\t" else "minimal"
    if quoting not in ("minimal", "none"):
        raise AlbenchInputError(f"{path}: quoting = {quoting!r}: allowed: minimal, none")
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=sep,
        quoting=csv.QUOTE_NONE if quoting == "none" else csv.QUOTE_MINIMAL,
        strict=True,
    )
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise AlbenchInputError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
    if not rows:
        raise AlbenchInputError(f"{path}: empty file")
    names = [c.strip() for c in rows[0]] if header else [str(i) for i in range(len(rows[0]))]
    body = rows[1:] if header else rows
    first_line = 2 if header else 1

    def index(col: str | int, what: str) -> int:
        key = str(col)
        if key in names:
            return names.index(key)
        raise AlbenchInputError(
            f"{path}: {what} = {col!r}: no such column; columns: {', '.join(names)}"
            + ("" if header else " (no header row: use 0-based indices)")
        )

    cols = [text_column] if isinstance(text_column, (str, int)) else list(text_column)
    text_idx = [index(c, "text_column") for c in cols]
    if target is None:
        rest = [i for i in range(len(names)) if i not in text_idx]
        if not rest:
            raise AlbenchInputError(f"{path}: no column left for the target; set target")
        y_idx = rest[0]
    else:
        y_idx = index(target, "target")
    width = len(names)
    texts, ys, bad = [], [], []
    for offset, row in enumerate(body):
        number = first_line + offset  # the row's number (a quoted field may span lines)
        if len(row) == 0 or (len(row) == 1 and not row[0].strip()):
            continue
        problem = ""
        if len(row) != width:
            problem = f"{len(row)} fields, the {'header has' if header else 'first row has'} {width}"
        else:
            label = row[y_idx].strip()
            content = " ".join(row[i].strip() for i in text_idx).strip()
            if not label:
                problem = "no label"
            elif not content:
                problem = "no text"
        if problem:
            if on_bad_line == "skip":
                bad.append(number)
                continue
            raise AlbenchInputError(f"{path}, row {number}: {problem}")
        texts.append(content)
        ys.append(label)
    notes: dict = {"text_column": [names[i] for i in text_idx], "target": names[y_idx]}
    if bad:
        notes["bad_lines_skipped"] = len(bad)
        notes["bad_lines"] = bad[:20]
    return np.asarray(texts, dtype=object), np.asarray(ys, dtype=str), notes
