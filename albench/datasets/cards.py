"""Dataset cards: TOML files that say where a dataset comes from and how to load it.

A card file holds ``[[dataset]]`` tables (one card each), optional ``[defaults]`` shared by
every card of the file, and optional ``[suites.<name>]`` tables (named lists of datasets).
The package's own cards live in the repository's top-level ``datasets/`` folder and ship as
``albench/_cards``. See ``docs/datasets.md`` for every field.

Each card is registered in :data:`albench.registry.DATASETS` like any dataset. A file card's
loader looks the file up in the data directory (:mod:`albench.datasets.datadir`), checks its
SHA-256 against the card, and reads it with :mod:`albench.datasets.loaders`. The checksum is a
parameter of the dataset (default: the card's), so it is part of every cell key: a different
file gives different keys.

Images, texts and recordings (formats of :data:`albench.datasets.modal.MODAL_FORMATS`) use
the same machinery: ``file`` may then name a folder (``image_folder``, ``audio_folder``; its
checksum is :func:`folder_sha256`), or a table of published parts for text
(``file = {train = "TREC.train.all", test = "TREC.test.all"}``, with one checksum per file:
``sha256 = {"TREC.train.all" = "...", ...}``), and ``idx`` takes ``labels_file``. A card may
name a default feature pipeline (``features = "tfidf"``), which enters the cell key.
"""

from __future__ import annotations

import inspect
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from albench.datasets.base import Dataset, make_dataset
from albench.datasets.datadir import get_data_dir
from albench.datasets.loaders import normalize_format, read_table_or_arrays, sha256_file
from albench.datasets.modal import FOLDER_FORMATS, MODAL_FORMATS, PART_FORMATS, read_modal
from albench.errors import AlbenchInputError
from albench.registry import DATASETS, SUITES, Entry

CARD_KEYS = (
    "name",
    "description",
    "file",
    "format",
    "sha256",
    "openml",
    "subdir",
    "target",
    "categorical",
    "categorical_columns",
    "impute",
    "drop_columns",
    "n_features",
    "x_key",
    "y_key",
    "sep",
    "n_samples",
    "n_classes",
    "task",
    "licence",
    "citation",
    "url",
    "notes",
    "labels_file",
    "features",
    "class_names",
    "encoding",
    "encoding_errors",
    "header",
    "labels",
    "coarse_labels",
    "text_column",
    "quoting",
    "pattern",
    "label_field",
    "group",
    "resize",
    "image_mode",
    "on_bad_file",
    "use_parts",
)
_TEXT_OPTIONS = ("encoding", "encoding_errors", "header", "on_bad_file", "use_parts")
#: loader options each source kind exposes as dataset parameters (with the card's values as defaults)
OPTIONS = {
    "csv": ("target", "categorical", "categorical_columns", "impute", "drop_columns", "sep"),
    "parquet": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
    "arff": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
    "libsvm": ("n_features",),
    "npz": ("x_key", "y_key", "impute"),
    "openml": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
    "idx": (),
    "image_npz": ("x_key", "y_key"),
    "image_folder": ("resize", "image_mode", "on_bad_file"),
    "text_lines": (*_TEXT_OPTIONS, "labels", "coarse_labels"),
    "text_csv": (*_TEXT_OPTIONS, "text_column", "target", "sep", "quoting"),
    "audio_folder": ("pattern", "label_field", "group", "on_bad_file"),
}
OPTION_DEFAULTS: dict[str, Any] = {
    "target": None,
    "categorical": "onehot",
    "categorical_columns": [],
    "impute": "mean",
    "drop_columns": [],
    "sep": None,
    "n_features": None,
    "x_key": "X",
    "y_key": "y",
    "encoding": "utf-8",
    "encoding_errors": "strict",
    "header": None,
    "labels": None,
    "coarse_labels": False,
    "text_column": "text",
    "quoting": None,
    "pattern": None,
    "label_field": "label",
    "group": None,
    "resize": None,
    "image_mode": None,
    "on_bad_file": "error",
    "use_parts": None,
}
_cache: dict[tuple, Dataset] = {}
_CACHE_MAX = 64


@dataclass(frozen=True)
class Card:
    """One dataset card (see ``docs/datasets.md``)."""

    name: str
    description: str
    file: str | dict | None = None
    format: str | None = None
    sha256: str | dict | None = None
    openml: int | None = None
    subdir: str | None = None
    options: dict = field(default_factory=dict)
    n_samples: int | None = None
    n_classes: int | None = None
    task: str = ""
    licence: str = ""
    citation: str = ""
    url: str = ""
    notes: str = ""
    card_file: str = ""
    labels_file: str | None = None
    features: str | dict | None = None
    class_names: dict | None = None

    @property
    def modality(self) -> str:
        """``"tabular"``, ``"image"``, ``"text"`` or ``"audio"`` (from the format)."""
        return MODAL_FORMATS.get(self.format or "", "tabular")

    @property
    def is_folder(self) -> bool:
        """Whether ``file`` names a folder."""
        return self.format in FOLDER_FORMATS

    def parts(self) -> dict[str, str]:
        """Part name -> file name (a single file is the part ``""``)."""
        if isinstance(self.file, dict):
            return {str(k): str(v) for k, v in self.file.items()}
        return {"": str(self.file)}

    def file_names(self) -> list[str]:
        """Every file the card reads: its parts, then the labels file."""
        names = list(self.parts().values())
        return names + ([self.labels_file] if self.labels_file else [])

    @property
    def source(self) -> str:
        """One line: the file and its format, or the OpenML id."""
        if self.openml is not None:
            return f"openml:{self.openml}"
        files = " + ".join(self.file_names())
        where = f"{self.subdir}/{files}" if self.subdir else files
        return f"file {where} ({self.format})"

    def meta(self) -> dict:
        """Provenance recorded with the dataset (and in the results manifest)."""
        out = {
            "source": self.source,
            "card": self.card_file,
            "task": self.task,
            "licence": self.licence,
            "citation": self.citation,
            "url": self.url,
        }
        if self.sha256:
            out["sha256"] = self.sha256
        if self.modality != "tabular":
            out["modality"] = self.modality
        if self.class_names:
            out["class_names"] = dict(self.class_names)
        return {k: v for k, v in out.items() if v}

    def folders(self, data_dir: Path) -> list[Path]:
        """Where the files are looked for: ``<data_dir>``, then ``<data_dir>/<subdir>``."""
        return [data_dir] + ([data_dir / self.subdir] if self.subdir else [])

    def candidates(self, data_dir: Path) -> list[Path]:
        """Where the (first) file is looked for: ``<data_dir>/<file>``, then under ``<subdir>``."""
        first = self.file_names()[0]
        return [folder / first for folder in self.folders(data_dir)]

    def present_in(self, folder: Path) -> bool:
        """Whether every file of the card (a folder for folder formats) is in ``folder``."""
        names = self.file_names()
        if self.is_folder:
            return (folder / names[0]).is_dir()
        return all((folder / n).is_file() for n in names)


# --------------------------------------------------------------------------- parsing


def parse_card(table: Any, defaults: dict, where: str) -> Card:
    """Validate one ``[[dataset]]`` table merged over the file's ``[defaults]``."""
    if not isinstance(table, dict):
        raise AlbenchInputError(f"{where}: a card must be a table")
    merged = {**defaults, **table}
    unknown = [k for k in merged if k not in CARD_KEYS and k != "_card_file"]
    if unknown:
        raise AlbenchInputError(f"{where}: unknown card key {unknown[0]!r}; allowed: {', '.join(CARD_KEYS)}")
    name = merged.get("name")
    if not isinstance(name, str) or not name or ":" in name:
        raise AlbenchInputError(f"{where}: name = {name!r}: must be a non-empty string without ':'")
    where = f"{where} ({name})"
    has_file, has_openml = "file" in merged, "openml" in merged
    if has_file == has_openml:
        raise AlbenchInputError(f"{where}: give exactly one source: file = '...' or openml = <id>")
    fmt = None
    if has_file:
        fmt = _check_file_fields(merged, where)
    else:
        oid = merged["openml"]
        if not isinstance(oid, int) or isinstance(oid, bool) or oid < 1:
            raise AlbenchInputError(f"{where}: openml = {oid!r}: must be a positive OpenML data id")
    kind = fmt if has_file else "openml"
    options = {k: merged[k] for k in OPTIONS[kind] if k in merged}
    ignored = [k for k in OPTION_DEFAULTS if k in table and k not in OPTIONS[kind]]
    if ignored:
        raise AlbenchInputError(
            f"{where}: option {ignored[0]!r} does not apply to {kind} data; it takes: "
            f"{', '.join(OPTIONS[kind]) or '(none)'}"
        )
    return Card(
        name=name,
        description=str(merged.get("description", name)),
        file=merged.get("file"),
        format=fmt,
        sha256=merged.get("sha256"),
        openml=merged.get("openml"),
        subdir=merged.get("subdir"),
        options=options,
        n_samples=merged.get("n_samples"),
        n_classes=merged.get("n_classes"),
        task=str(merged.get("task", "")),
        licence=str(merged.get("licence", "")),
        citation=str(merged.get("citation", "")),
        url=str(merged.get("url", "")),
        notes=str(merged.get("notes", "")),
        card_file=str(merged.get("_card_file", "")),
        labels_file=merged.get("labels_file"),
        features=_check_features_field(merged.get("features"), where),
        class_names=_check_class_names(merged.get("class_names"), where),
    )


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _check_file_fields(merged: dict, where: str) -> str:
    """Validate ``file``, ``format``, ``labels_file`` and ``sha256``; returns the format."""
    file = merged["file"]
    if isinstance(file, dict):
        fmt = normalize_format(merged.get("format"), "", where) if merged.get("format") else None
        if fmt not in PART_FORMATS:
            raise AlbenchInputError(
                f"{where}: file = {file!r}: a table of parts needs format = one of {', '.join(PART_FORMATS)}"
            )
        if not file or not all(
            isinstance(k, str) and k and isinstance(v, str) and v for k, v in file.items()
        ):
            raise AlbenchInputError(
                f"{where}: file = {file!r}: parts must map names (train, test) to file names"
            )
        names = list(file.values())
    elif isinstance(file, str) and file:
        fmt = normalize_format(merged.get("format"), file, where)
        names = [file]
    else:
        raise AlbenchInputError(f"{where}: file = {file!r}: must be a file name")
    labels_file = merged.get("labels_file")
    if fmt == "idx":
        if not isinstance(labels_file, str) or not labels_file:
            raise AlbenchInputError(f"{where}: format 'idx' needs labels_file = '<the IDX labels file>'")
        names.append(labels_file)
    elif labels_file is not None:
        raise AlbenchInputError(f"{where}: labels_file applies to the idx format only")
    sha = merged.get("sha256")
    if sha is None:
        return fmt
    if isinstance(sha, dict):
        if set(sha) != set(names) or not all(_is_hex64(v) for v in sha.values()):
            raise AlbenchInputError(
                f"{where}: sha256 = {sha!r}: a table needs one 64-hex-digit checksum for each of "
                f"{', '.join(names)}"
            )
    elif not _is_hex64(sha):
        raise AlbenchInputError(f"{where}: sha256 = {sha!r}: must be 64 lower-case hex digits")
    elif len(names) > 1:
        raise AlbenchInputError(
            f"{where}: sha256 must be a table with one checksum for each of {', '.join(names)}"
        )
    return fmt


def _check_features_field(value: object, where: str) -> str | dict | None:
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return dict(value)
    raise AlbenchInputError(
        f"{where}: features = {value!r}: must be a pipeline name or a table with a 'name' key"
    )


def _check_class_names(value: object, where: str) -> dict | None:
    if value is None:
        return None
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    raise AlbenchInputError(
        f'{where}: class_names = {value!r}: must map labels to names, e.g. {{"0" = "DESC"}}'
    )


def read_card_file(path: str | Path) -> tuple[list[Card], dict[str, dict]]:
    """Cards and suites of one TOML file.

    Raises
    ------
    AlbenchInputError
        If the file is not valid TOML or a card is malformed.
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AlbenchInputError(f"card file {str(path)!r}: {exc}") from None
    unknown = [k for k in doc if k not in ("defaults", "dataset", "suites")]
    if unknown:
        raise AlbenchInputError(
            f"card file {str(path)!r}: unknown table {unknown[0]!r}; allowed: defaults, dataset, suites"
        )
    defaults = dict(doc.get("defaults", {}))
    tables = doc.get("dataset", [])
    if not isinstance(tables, list):
        raise AlbenchInputError(f"card file {str(path)!r}: use [[dataset]] tables for cards")
    cards = [
        parse_card(
            {**t, "_card_file": path.name} if isinstance(t, dict) else t, defaults, f"{path.name}[{i}]"
        )
        for i, t in enumerate(tables)
    ]
    suites = doc.get("suites", {})
    for sname, suite in suites.items():
        if (
            not isinstance(suite, dict)
            or not isinstance(suite.get("datasets"), list)
            or not suite["datasets"]
        ):
            raise AlbenchInputError(
                f"card file {str(path)!r}: suites.{sname} needs a non-empty datasets list"
            )
    return cards, suites


# --------------------------------------------------------------------------- loading


def locate(card: Card, data_dir: Path | None = None) -> tuple[Path | None, list[Path], str]:
    """(the (first) file found or None, every place looked, how the data directory was chosen).

    Every file of a card (parts, labels file) must sit in the same folder.
    """
    if data_dir is None:
        data_dir, how = get_data_dir()
    else:
        how = "as given"
    folders = card.folders(Path(data_dir))
    paths = card.candidates(Path(data_dir))
    found = next((p for f, p in zip(folders, paths, strict=True) if card.present_in(f)), None)
    return found, paths, how


def base_folder(card: Card, found: Path) -> Path:
    """The folder the card's file names are relative to, from the first file as found."""
    base = found
    for _ in Path(card.file_names()[0]).parts:
        base = base.parent
    return base


def folder_sha256(folder: str | Path) -> str:
    """Checksum of a folder: SHA-256 of its ``SHA256SUMS``-style listing.

    The listing has one line ``"<sha256 of the file>  <path relative to folder>\n"`` per file
    (hidden files and folders left out), sorted by path with ``/`` separators; so it can be
    computed from a published ``SHA256SUMS`` without the files.
    """
    folder = Path(folder)
    lines = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            lines.append((rel.as_posix(), sha256_file(path)))
    listing = "".join(f"{h}  {r}\n" for r, h in sorted(lines))
    import hashlib

    return hashlib.sha256(listing.encode()).hexdigest()


def _file_checksums(card: Card, base: Path) -> dict[str, str]:
    """The actual checksum of each file of the card (one entry for a folder)."""
    names = card.file_names()
    if card.is_folder:
        return {names[0]: folder_sha256(base / names[0])}
    return {n: sha256_file(base / n) for n in names}


def verify_checksum(card: Card, base: Path, sha256: str | dict | None) -> None:
    """Compare the files under ``base`` with ``sha256`` (a string, or a table per file name).

    Raises
    ------
    AlbenchInputError
        Naming the file, both checksums and where to obtain the original.
    """
    if not sha256:
        return
    expected = sha256 if isinstance(sha256, dict) else {card.file_names()[0]: sha256}
    actual = _file_checksums(card, base)
    for name, want in expected.items():
        got = actual.get(name)
        if got != want:
            obtain = f" Obtain the original from {card.url}." if card.url else ""
            kind = "folder" if card.is_folder else "file"
            raise AlbenchInputError(
                f"dataset {card.name!r}: checksum mismatch for {kind} {str(base / name)!r}: sha256 {got}, "
                f"but the "
                f"card expects {want} (a different version or a damaged copy; nothing was changed).{obtain}"
            )


def missing_file_error(card: Card, paths: list[Path], how: str) -> AlbenchInputError:
    """The error for a card whose file is not in the data directory."""
    where = ", ".join(str(p) for p in paths)
    obtain = f" Obtain it from {card.url}" if card.url else " Obtain it from the dataset's origin"
    what = " + ".join(card.file_names())
    kind = "folder" if card.is_folder else "file(s)" if len(card.file_names()) > 1 else "file"
    return AlbenchInputError(
        f"dataset {card.name!r}: {kind} {what!r} not found; looked for {where} "
        f"(data directory {how}).{obtain} and put it there, or point --data-dir, $ALBENCH_DATA or the "
        "config's data_dir at the folder that holds it"
    )


def load_card(card: Card, options: dict, sha256: str | dict | None) -> Dataset:
    """Find, check and read a file card's data (cached per process by path, size and mtime)."""
    path, paths, how = locate(card)
    if path is None:
        raise missing_file_error(card, paths, how)
    base = base_folder(card, path)
    stats = tuple((n, (base / n).stat().st_size, (base / n).stat().st_mtime_ns) for n in card.file_names())
    key = (card.name, str(path), stats, repr(sha256), repr(sorted(options.items())))
    if key in _cache:
        return _cache[key]
    verify_checksum(card, base, sha256)
    where = f"dataset {card.name!r} ({path})"
    opts = {**OPTION_DEFAULTS, **options}
    if card.format in MODAL_FORMATS:
        ds = _load_modal(card, base, opts, sha256, where)
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[key] = ds
        return ds
    X, y, names, notes = read_table_or_arrays(
        path,
        card.format,
        where=where,
        target=opts["target"],
        categorical=opts["categorical"],
        categorical_columns=tuple(opts["categorical_columns"]),
        impute=opts["impute"],
        drop_columns=tuple(opts["drop_columns"]),
        n_features=opts["n_features"],
        x_key=opts["x_key"],
        y_key=opts["y_key"],
        sep=opts["sep"],
    )
    meta = {**card.meta(), "path": str(path), **notes}
    if sha256:
        meta["sha256"] = sha256
    ds = make_dataset(card.name, X, y, feature_names=names, meta=meta)
    _check_card_counts(card, ds, where)
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = ds
    return ds


def _load_modal(card: Card, base: Path, opts: dict, sha256: str | dict | None, where: str) -> Dataset:
    """Read an image, text or audio card (:mod:`albench.datasets.modal`)."""
    parts = card.parts()
    use = opts.get("use_parts")
    if use is not None:
        if not isinstance(use, (list, tuple)) or not use or any(u not in parts for u in use):
            raise AlbenchInputError(
                f"{where}: use_parts = {use!r}: must be a non-empty list of the card's parts "
                f"({', '.join(p for p in parts if p) or 'it has none'})"
            )
        parts = {p: f for p, f in parts.items() if p in use}
    paths = {p: base / f for p, f in parts.items()}
    labels = base / card.labels_file if card.labels_file else None
    try:
        kw = read_modal(paths, card.format, opts, where, labels)
    except AlbenchInputError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, EOFError) as exc:
        raise AlbenchInputError(f"{where}: cannot read it as {card.format}: {exc}") from None
    meta = {**card.meta(), "path": str(paths[next(iter(paths))]), "format": card.format, **kw.pop("meta")}
    if sha256:
        meta["sha256"] = sha256
    X, y = kw.pop("X"), kw.pop("y")
    ds = make_dataset(card.name, X, y, meta=meta, **kw)
    if use is None:  # the card's counts are those of every part
        _check_card_counts(card, ds, where)
    return ds


def _check_card_counts(card: Card, ds: Dataset, where: str) -> None:
    if card.n_samples is not None and ds.n_samples != card.n_samples:
        raise AlbenchInputError(
            f"{where}: {ds.n_samples} rows, but the card says n_samples = {card.n_samples}"
        )
    if card.n_classes is not None and ds.n_classes != card.n_classes:
        raise AlbenchInputError(
            f"{where}: {ds.n_classes} classes, but the card says n_classes = {card.n_classes}"
        )


def card_factory(card: Card):
    """A dataset factory whose keyword parameters are the card's loader options and checksum."""
    if card.openml is not None:
        from albench.datasets.openml import openml_factory

        return openml_factory(card.openml, card.name, defaults=card.options, meta=card.meta())
    names = OPTIONS[card.format]
    defaults = {k: card.options.get(k, OPTION_DEFAULTS[k]) for k in names}
    params = [inspect.Parameter("sha256", inspect.Parameter.KEYWORD_ONLY, default=card.sha256)]
    params += [inspect.Parameter(k, inspect.Parameter.KEYWORD_ONLY, default=v) for k, v in defaults.items()]

    def factory(sha256: str | None = card.sha256, **options: Any) -> Dataset:
        return load_card(card, {**defaults, **options}, sha256)

    factory.__signature__ = inspect.Signature(params)
    factory.__name__ = f"load_{card.name}"
    factory.__doc__ = card.description
    return factory


def load_file(
    path: str,
    *,
    format: str | None = None,
    sha256: str | None = None,
    target: str | None = None,
    categorical: str = "onehot",
    categorical_columns: list[str] | tuple[str, ...] = (),
    impute: str = "mean",
    drop_columns: list[str] | tuple[str, ...] = (),
    n_features: int | None = None,
    x_key: str = "X",
    y_key: str = "y",
    sep: str | None = None,
    labels_file: str | None = None,
    encoding: str = "utf-8",
    encoding_errors: str = "strict",
    header: bool | None = None,
    labels: list[str] | None = None,
    coarse_labels: bool = False,
    text_column: str | int | list = "text",
    quoting: str | None = None,
    pattern: str | None = None,
    label_field: str = "label",
    group: str | None = None,
    resize: list[int] | None = None,
    image_mode: str | None = None,
    on_bad_file: str = "error",
) -> Dataset:
    """Any data file without a card: ``{name = "file", path = "my.csv", target = "label"}``.

    ``path`` is relative to the data directory (or absolute); it names a folder for the
    ``image_folder`` and ``audio_folder`` formats. The other parameters are the loader options
    of :mod:`albench.datasets.loaders` and :mod:`albench.datasets.modal` (``docs/datasets.md``),
    and ``sha256`` (optional) is checked.
    """
    if not isinstance(path, str) or not path:
        raise AlbenchInputError(f"dataset 'file': path = {path!r}: must be a file name")
    fmt = normalize_format(format, path, f"dataset 'file' ({path})")
    if fmt == "idx" and not labels_file:
        raise AlbenchInputError(
            f"dataset 'file' ({path}): format 'idx' needs labels_file (the IDX labels file)"
        )
    lf = None
    if labels_file:  # relative to the images file's folder
        lf = labels_file if Path(labels_file).is_absolute() else str(Path(path).parent / labels_file)
    card = Card(name=Path(path).stem, description=path, file=path, format=fmt, sha256=sha256, labels_file=lf)
    if fmt in MODAL_FORMATS:
        modal = {
            "encoding": encoding,
            "encoding_errors": encoding_errors,
            "header": header,
            "labels": labels,
            "coarse_labels": coarse_labels,
            "text_column": text_column,
            "target": target,
            "sep": sep,
            "quoting": quoting,
            "pattern": pattern,
            "label_field": label_field,
            "group": group,
            "resize": resize,
            "image_mode": image_mode,
            "on_bad_file": on_bad_file,
            "x_key": x_key,
            "y_key": y_key,
        }
        return load_card(card, {k: modal[k] for k in OPTIONS[fmt] if k in modal}, sha256)
    given = {
        "target": target,
        "categorical": categorical,
        "categorical_columns": list(categorical_columns),
        "impute": impute,
        "drop_columns": list(drop_columns),
        "n_features": n_features,
        "x_key": x_key,
        "y_key": y_key,
        "sep": sep,
    }
    return load_card(card, given, sha256)


DATASETS.add(
    "file",
    load_file,
    description="a data file without a card: path (in the data directory), format, target, ...",
    source="file (path parameter)",
)


def register_cards(path: str | Path, replace: bool = False) -> list[str]:
    """Register the cards and suites of one TOML file; returns the dataset names."""
    cards, suites = read_card_file(path)
    for card in cards:
        DATASETS.add(
            card.name,
            card_factory(card),
            description=card.description,
            reference=card.citation,
            replace=replace,
            source=card.source,
            card=card,
        )
    for sname, suite in suites.items():
        config = {k: v for k, v in suite.items() if k != "description"}
        config.setdefault("name", sname)
        SUITES.add(sname, config, description=str(suite.get("description", sname)), replace=replace)
    return [c.name for c in cards]


def cards_dir() -> Path | None:
    """The folder of the package's cards: ``albench/_cards`` when installed, else ``<repo>/datasets``."""
    try:
        packaged = resources.files("albench") / "_cards"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, TypeError):
        pass
    source_tree = Path(__file__).resolve().parents[2] / "datasets"
    return source_tree if source_tree.is_dir() else None


def register_builtin_cards() -> None:
    """Register every ``*.toml`` in :func:`cards_dir`; a broken file is listed as unavailable."""
    folder = cards_dir()
    if folder is None:
        return
    for path in sorted(folder.glob("*.toml")):
        try:
            register_cards(path)
        except AlbenchInputError as exc:
            DATASETS.mark_unavailable(f"<cards {path.name}>", str(exc))


def availability(entry: Entry) -> str:
    """Whether a registered dataset can be loaded on this machine, in a few words.

    ``yes``; ``missing`` (file card whose file is not in the data directory); ``wrong
    checksum``; ``if cached or online`` (OpenML); ``-`` (needs a path parameter).
    """
    card: Card | None = entry.meta.get("card")
    source = str(entry.meta.get("source", ""))
    if card is None:
        if source.startswith("openml:"):
            return "if cached or online"
        return "-" if entry.name == "file" else "yes"
    if card.openml is not None:
        return "if cached or online"
    path, _, _ = locate(card)
    if path is None:
        return "missing"
    try:
        verify_checksum(card, base_folder(card, path), card.sha256)
    except AlbenchInputError:
        return "wrong checksum"
    return "yes"
