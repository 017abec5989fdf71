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
)
#: loader options each source kind exposes as dataset parameters (with the card's values as defaults)
OPTIONS = {
    "csv": ("target", "categorical", "categorical_columns", "impute", "drop_columns", "sep"),
    "parquet": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
    "arff": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
    "libsvm": ("n_features",),
    "npz": ("x_key", "y_key", "impute"),
    "openml": ("target", "categorical", "categorical_columns", "impute", "drop_columns"),
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
}
_cache: dict[tuple, Dataset] = {}
_CACHE_MAX = 64


@dataclass(frozen=True)
class Card:
    """One dataset card (see ``docs/datasets.md``)."""

    name: str
    description: str
    file: str | None = None
    format: str | None = None
    sha256: str | None = None
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

    @property
    def source(self) -> str:
        """One line: the file and its format, or the OpenML id."""
        if self.openml is not None:
            return f"openml:{self.openml}"
        where = f"{self.subdir}/{self.file}" if self.subdir else self.file
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
        return {k: v for k, v in out.items() if v}

    def candidates(self, data_dir: Path) -> list[Path]:
        """Where the file is looked for: ``<data_dir>/<file>``, then ``<data_dir>/<subdir>/<file>``."""
        paths = [data_dir / self.file]
        if self.subdir:
            paths.append(data_dir / self.subdir / self.file)
        return paths


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
        if not isinstance(merged["file"], str) or not merged["file"]:
            raise AlbenchInputError(f"{where}: file = {merged['file']!r}: must be a file name")
        fmt = normalize_format(merged.get("format"), merged["file"], where)
        sha = merged.get("sha256")
        if sha is not None and (
            not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)
        ):
            raise AlbenchInputError(f"{where}: sha256 = {sha!r}: must be 64 lower-case hex digits")
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
    """(the file found or None, every place looked, how the data directory was chosen)."""
    if data_dir is None:
        data_dir, how = get_data_dir()
    else:
        how = "as given"
    paths = card.candidates(Path(data_dir))
    found = next((p for p in paths if p.is_file()), None)
    return found, paths, how


def missing_file_error(card: Card, paths: list[Path], how: str) -> AlbenchInputError:
    """The error for a card whose file is not in the data directory."""
    where = ", ".join(str(p) for p in paths)
    obtain = f" Obtain it from {card.url}" if card.url else " Obtain it from the dataset's origin"
    return AlbenchInputError(
        f"dataset {card.name!r}: file {card.file!r} not found; looked for {where} "
        f"(data directory {how}).{obtain} and put it there, or point --data-dir, $ALBENCH_DATA or the "
        "config's data_dir at the folder that holds it"
    )


def load_card(card: Card, options: dict, sha256: str | None) -> Dataset:
    """Find, check and read a file card's data (cached per process by path, size and mtime)."""
    path, paths, how = locate(card)
    if path is None:
        raise missing_file_error(card, paths, how)
    stat = path.stat()
    key = (card.name, str(path), stat.st_size, stat.st_mtime_ns, sha256, repr(sorted(options.items())))
    if key in _cache:
        return _cache[key]
    if sha256:
        actual = sha256_file(path)
        if actual != sha256:
            obtain = f" Obtain the original from {card.url}." if card.url else ""
            raise AlbenchInputError(
                f"dataset {card.name!r}: checksum mismatch for {str(path)!r}: sha256 {actual}, but the card "
                f"expects {sha256} (a different version or a damaged copy; nothing was changed).{obtain}"
            )
    where = f"dataset {card.name!r} ({path})"
    opts = {**OPTION_DEFAULTS, **options}
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
    if card.n_samples is not None and ds.n_samples != card.n_samples:
        raise AlbenchInputError(
            f"{where}: {ds.n_samples} rows, but the card says n_samples = {card.n_samples}"
        )
    if card.n_classes is not None and ds.n_classes != card.n_classes:
        raise AlbenchInputError(
            f"{where}: {ds.n_classes} classes, but the card says n_classes = {card.n_classes}"
        )
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[key] = ds
    return ds


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
) -> Dataset:
    """Any data file without a card: ``{name = "file", path = "my.csv", target = "label"}``.

    ``path`` is relative to the data directory (or absolute); the other parameters are the
    loader options of :mod:`albench.datasets.loaders`, and ``sha256`` (optional) is checked.
    """
    if not isinstance(path, str) or not path:
        raise AlbenchInputError(f"dataset 'file': path = {path!r}: must be a file name")
    fmt = normalize_format(format, path, f"dataset 'file' ({path})")
    card = Card(name=Path(path).stem, description=path, file=path, format=fmt, sha256=sha256)
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
    if card.sha256 and sha256_file(path) != card.sha256:
        return "wrong checksum"
    return "yes"
