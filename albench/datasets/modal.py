"""Images, texts and recordings into :func:`~albench.datasets.base.make_dataset` arguments.

One entry point, :func:`read_modal`, for the formats of :data:`MODAL_FORMATS`; the tabular
formats stay in :mod:`albench.datasets.loaders`. Skipped bad files and lines (only where
``on_bad_file = "skip"``) are counted in the notes and reported as one warning.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from albench.errors import AlbenchInputError

#: format -> modality
MODAL_FORMATS = {
    "idx": "image",
    "image_folder": "image",
    "image_npz": "image",
    "text_lines": "text",
    "text_csv": "text",
    "audio_folder": "audio",
}
#: formats whose ``file`` is a folder
FOLDER_FORMATS = ("image_folder", "audio_folder")
#: formats whose ``file`` may be a table of published parts (``{train = ..., test = ...}``)
PART_FORMATS = ("text_lines", "text_csv")
ON_BAD_FILE = ("error", "skip")


def modality_of(fmt: str | None) -> str:
    """The modality a format holds (``"tabular"`` for the table formats)."""
    return MODAL_FORMATS.get(fmt or "", "tabular")


def _check_choice(where: str, name: str, value: object, allowed: tuple) -> None:
    if value not in allowed:
        raise AlbenchInputError(f"{where}: {name} = {value!r}: allowed: {', '.join(map(str, allowed))}")


def read_modal(
    paths: dict[str, Path], fmt: str, opts: dict, where: str, labels_path: Path | None = None
) -> dict:
    """Read one modal data set.

    Parameters
    ----------
    paths : dict
        Part name -> file (a single file or folder is the part ``""``; parts are concatenated
        in the dict's order and recorded per row).
    fmt : str
        One of :data:`MODAL_FORMATS`.
    opts : dict
        The loader options (see ``docs/datasets.md``).
    labels_path : Path, optional
        ``idx`` only: the labels file.

    Returns
    -------
    dict
        Keyword arguments of ``make_dataset`` after the name: ``X``, ``y``, ``feature_names``,
        ``meta`` (notes), ``modality``, ``raw``, ``sample_shape``, ``groups``, ``parts``.
    """
    on_bad = opts.get("on_bad_file", "error")
    _check_choice(where, "on_bad_file", on_bad, ON_BAD_FILE)
    out: dict = {
        "modality": MODAL_FORMATS[fmt],
        "raw": None,
        "sample_shape": (),
        "groups": None,
        "parts": None,
    }
    notes: dict = {}
    if out["modality"] == "text":
        texts, ys, part_rows = [], [], []
        for part, path in paths.items():
            t, y, n = _read_text(path, fmt, opts, on_bad)
            texts.append(t)
            ys.append(y)
            part_rows.append(np.full(t.shape[0], part or "all", dtype=object))
            for k, v in n.items():
                notes[f"{part}.{k}" if part else k] = v
        raw = np.empty(sum(t.shape[0] for t in texts), dtype=object)
        raw[:] = [s for t in texts for s in t]
        out.update(X=None, y=np.concatenate(ys), raw=raw, feature_names=None)
        if len(paths) > 1 or next(iter(paths)):
            out["parts"] = np.concatenate(part_rows).astype(str)
    else:
        (path,) = paths.values()
        if out["modality"] == "image":
            X, y, n = _read_images(path, fmt, opts, on_bad, labels_path)
            notes.update(n)
            out["sample_shape"] = tuple(int(v) for v in X.shape[1:])
            out.update(X=X.reshape(X.shape[0], -1), y=y, feature_names=None)
        else:
            from albench.datasets.audio import read_audio_folder

            raw, y, groups, names, rate, n = read_audio_folder(
                path,
                pattern=opts.get("pattern"),
                label_field=opts.get("label_field", "label"),
                group=opts.get("group"),
                on_bad_file=on_bad,
            )
            notes.update(n)
            notes["sample_rate"] = rate
            notes["files"] = names
            out.update(X=None, y=y, raw=raw, groups=groups, feature_names=None)
    skipped = sum(v for k, v in notes.items() if k.endswith(("n_skipped", "bad_lines_skipped")))
    if skipped:
        warnings.warn(
            f"{where}: skipped {skipped} bad file(s) or line(s) (on_bad_file = 'skip'); "
            "see the dataset's meta",
            stacklevel=2,
        )
    out["meta"] = notes
    return out


def _read_text(path: Path, fmt: str, opts: dict, on_bad: str):
    from albench.datasets.text import read_text_lines, read_text_table

    common = {
        "encoding": opts.get("encoding", "utf-8"),
        "encoding_errors": opts.get("encoding_errors", "strict"),
        "on_bad_line": on_bad,
    }
    if fmt == "text_lines":
        return read_text_lines(
            path,
            header=bool(opts.get("header", False)),
            labels=opts.get("labels"),
            coarse_labels=bool(opts.get("coarse_labels", False)),
            **common,
        )
    header = opts.get("header")
    return read_text_table(
        path,
        text_column=opts.get("text_column", "text"),
        target=opts.get("target"),
        sep=opts.get("sep"),
        header=True if header is None else bool(header),
        quoting=opts.get("quoting"),
        **common,
    )


def _read_images(path: Path, fmt: str, opts: dict, on_bad: str, labels_path: Path | None):
    from albench.datasets import images

    if fmt == "idx":
        if labels_path is None:
            raise AlbenchInputError(f"{path}: the idx format needs labels_file (the IDX labels file)")
        X, y = images.read_idx_pair(path, labels_path)
        return X, y, {}
    if fmt == "image_npz":
        X, y = images.read_image_npz(path, opts.get("x_key", "X"), opts.get("y_key", "y"))
        return X, y, {}
    resize = opts.get("resize")
    if resize is not None and (
        not isinstance(resize, (list, tuple))
        or len(resize) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in resize)
    ):
        raise AlbenchInputError(f"{path}: resize = {resize!r}: must be [height, width] in pixels")
    mode = opts.get("image_mode")
    if mode is not None:
        _check_choice(str(path), "image_mode", mode, ("L", "RGB"))
    X, y, files, notes = images.read_image_folder(path, resize=resize, mode=mode, on_bad_file=on_bad)
    notes["files"] = files
    return X, y, notes
