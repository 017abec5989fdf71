"""Build the "What each strategy queried" gallery: the queried samples themselves.

The results store, per round, the rows each strategy queried (row numbers of the dataset as
loaded), not the samples. The gallery re-loads each dataset from the experiment's config in
the manifest, through the dataset registry (a lower box; the same data directory the run
recorded, ``$ALBENCH_DATA`` first, as ``albench verify`` does), and shows the first queried
samples of every strategy on one repetition: images as thumbnails, texts as snippets,
recordings as small spectrograms with their file names, each with its true label. A dataset
whose files are not available here, or no longer match the run (another row count), gets a
note instead; the report never fails because of it. Tables have no samples to show.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from albench.report.gallery_render import GALLERY_DIR, Gallery, GalleryItem, GalleryPanel, GalleryStrip

#: Samples shown per strategy, by modality.
SAMPLES = {"image": 16, "audio": 8, "text": 8}
#: Characters of a text snippet (longer texts are cut and end with an ellipsis).
TEXT_CHARS = 200
#: Thumbnails: images smaller than this (pixels, longest side) are enlarged by an integer
#: factor, larger ones shrunk to it.
THUMB_SIDE = 56
#: Spectrograms: height and largest width in pixels.
SPEC_HEIGHT, SPEC_WIDTH = 48, 160
#: Rows of these modalities have samples to show.
SHOWN = ("image", "text", "audio")
#: Columns that, with the strategy, identify a cell on one (dataset, labeler, repetition).
_CELL_COLUMNS = ("model", "update", "rebalance", "query_model")


def snippet(text: object, limit: int = TEXT_CHARS) -> str:
    """A text's first ``limit`` characters, every run of whitespace (line breaks, tabs, NEL) one space."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "\u2026"


def _png(rgb_or_grey: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb_or_grey)).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def image_thumbnail(pixels: np.ndarray, shape: tuple[int, ...], vmin: float, vmax: float) -> bytes:
    """PNG of one image: flattened ``pixels`` of ``shape`` (C, H, W), scaled from [vmin, vmax].

    One channel is grey, three are RGB (other counts: the first channel). Small images are
    enlarged by an integer factor (sharp pixels), large ones shrunk, to about
    :data:`THUMB_SIDE` pixels.
    """
    from PIL import Image

    a = np.asarray(pixels, dtype=np.float64).reshape(shape)
    if a.ndim == 2:
        a = a[None]
    span = vmax - vmin if vmax > vmin else 1.0
    a = np.clip((a - vmin) / span, 0.0, 1.0)
    img = (a[:3].transpose(1, 2, 0) if a.shape[0] == 3 else a[0]) * 255.0
    img = np.rint(img).astype(np.uint8)
    h, w = img.shape[:2]
    pil = Image.fromarray(img)
    if max(h, w) < THUMB_SIDE:
        f = max(1, THUMB_SIDE // max(h, w))
        pil = pil.resize((w * f, h * f), Image.Resampling.NEAREST)
    elif max(h, w) > THUMB_SIDE:
        pil.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return _png(np.asarray(pil))


def log_spectrogram(wave: np.ndarray, sample_rate: int) -> np.ndarray:
    """Power spectrogram in dB (frequency x frame, low frequencies first), 80 dB below its peak floored.

    Frames of about 32 ms (a power-of-two FFT length), hop a quarter of that, Hann window.
    """
    x = np.asarray(wave, dtype=np.float64).reshape(-1)
    n_fft = int(2 ** np.ceil(np.log2(max(16.0, 0.032 * float(sample_rate)))))
    hop = n_fft // 4
    if x.shape[0] < n_fft:
        x = np.pad(x, (0, n_fft - x.shape[0]))
    n_frames = 1 + (x.shape[0] - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n_frames)[:, None]
    power = np.abs(np.fft.rfft(x[idx] * np.hanning(n_fft), axis=1)) ** 2
    db = 10.0 * np.log10(np.maximum(power, 1e-12))
    return np.maximum(db, db.max() - 80.0).T


def _pool(a: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Mean over blocks so that ``a`` has at most ``rows`` x ``cols`` entries."""
    r = [b.mean(axis=0) for b in np.array_split(a, min(rows, a.shape[0]), axis=0)]
    a = np.stack(r)
    c = [b.mean(axis=1) for b in np.array_split(a, min(cols, a.shape[1]), axis=1)]
    return np.stack(c, axis=1)


def spectrogram_png(wave: np.ndarray, sample_rate: int) -> bytes:
    """A small spectrogram image (viridis; low frequencies at the bottom) of one recording."""
    from matplotlib import colormaps

    s = _pool(log_spectrogram(wave, sample_rate), SPEC_HEIGHT, SPEC_WIDTH)[::-1]
    lo, hi = float(s.min()), float(s.max())
    rgb = colormaps["viridis"]((s - lo) / (hi - lo if hi > lo else 1.0))[..., :3]
    return _png(np.rint(rgb * 255.0).astype(np.uint8))


def row_names(ds) -> list[str] | None:
    """A name per row (recordings' file names), when the loader recorded one."""
    for key in ("files", "file_names", "paths"):
        names = ds.meta.get(key) if isinstance(ds.meta, dict) else None
        if names is not None and len(names) == ds.n_samples:
            return [str(n).replace("\\", "/").rsplit("/", 1)[-1] for n in names]
    return None


def _first(order: list[str], present: set) -> object:
    for v in order:
        if v in present:
            return v
    return sorted(present, key=str)[0]


def first_batches(sub: pd.DataFrame, strategies: list[str], n: int) -> tuple[dict, dict, list[str]]:
    """The first ``n`` (batch, row) pairs each strategy queried, on one (dataset, labeler, repetition).

    Every strategy's queries come from one cell: the model (and update policy, rebalancer) of
    the first row, so that all strategies are shown with the same one when they have it.

    Returns
    -------
    picks : dict
        strategy -> list of (batch number, dataset row); batch 1 was queried at round 0.
    cell : dict
        The shared cell's model (and update, rebalance) labels.
    notes : list of str
        Strategies shown with another model than the others.
    """
    cols = [c for c in _CELL_COLUMNS if c in sub.columns]
    sub = sub.sort_values(["round", *cols], kind="stable")
    common = {c: str(sub.iloc[0][c]) for c in cols if c != "query_model"}
    picks, notes = {}, []
    for s in strategies:
        runs = sub[sub["strategy"] == s]
        if runs.empty:
            continue
        same = np.ones(len(runs), dtype=bool)
        for c, v in common.items():
            same &= (runs[c].astype(str) == v).to_numpy()
        if not same.any():
            notes.append(f"strategy {s!r} has no cell with {common}; shown with its own first cell")
            same[:] = True
        first = runs[same].iloc[0]
        for c in cols:
            same &= (runs[c].astype(str) == str(first[c])).to_numpy()
        out: list[tuple[int, int]] = []
        for rnd, q in zip(runs[same]["round"], runs[same]["queried"], strict=True):
            for row in [] if q is None else list(q):
                if len(out) < n:
                    out.append((int(rnd) + 1, int(row)))
        picks[s] = out
    return picks, common, notes


def _items(ds, modality: str, picks: list[tuple[int, int]], names: list[str] | None, scale) -> list:
    items = []
    for batch, row in picks:
        if not 0 <= row < ds.n_samples:
            raise IndexError(f"queried row {row} is outside the dataset's {ds.n_samples} rows")
        it = GalleryItem(batch, row, str(ds.classes[int(ds.y[row])]))
        if names is not None:
            it.name = names[row]
        if modality == "text":
            it.text = snippet(ds.raw[row])
        elif modality == "image":
            it.png = image_thumbnail(ds.X[row], tuple(ds.sample_shape), *scale)
        elif modality == "audio":
            it.png = spectrogram_png(ds.raw[row], int(ds.meta["sample_rate"]))
        items.append(it)
    return items


def build_gallery(manifest: dict, df: pd.DataFrame, strategies: list[str]) -> Gallery:
    """The gallery of a results folder: its manifest and the rows of ``load_results``.

    Parameters
    ----------
    manifest : dict
        ``manifest.json``: the experiment's config, the data directory of the run and what
        it recorded about each dataset.
    df : DataFrame
        The stored rows (needs the ``queried`` column).
    strategies : list of str
        Strategies in the report's order.

    Returns
    -------
    Gallery
        A panel per dataset with samples to show (images, texts, recordings), and a note for
        each dataset that could not be shown and why. Never raises for missing or changed
        data.
    """
    from albench.config import parse_config
    from albench.datasets.datadir import resolve_data_dir, set_data_dir
    from albench.errors import AlbenchInputError
    from albench.grid import load_dataset

    g = Gallery()
    if df.empty or "queried" not in df.columns:
        g.notes.append("These results have no 'queried' column: no queried samples to show.")
        return g
    try:
        exp = parse_config(
            manifest["config"], source="<manifest>", default_name=manifest.get("experiment", "x")
        )
    except (AlbenchInputError, KeyError) as exc:
        g.notes.append(f"The experiment's config could not be read back ({exc}): no samples to show.")
        return g
    try:
        set_data_dir(*resolve_data_dir(None, manifest.get("data_dir")))
    except AlbenchInputError as exc:
        g.notes.append(f"The data directory of the run is not available ({exc}).")
    info = manifest.get("datasets") or {}
    labeler_order = [lab.label for lab in exp.labelers]
    stored = set(df["dataset"])
    for spec in exp.datasets:
        label = spec.label
        known = (info.get(label) or {}).get("modality")
        if label not in stored or known == "tabular":
            continue
        try:
            ds = load_dataset(spec)
        except Exception as exc:  # noqa: BLE001 - whatever the data's state, the report goes on
            g.notes.append(
                f"Dataset {label!r}: its data files are not available here, so its queried samples are "
                f"not shown ({type(exc).__name__}: {exc}). Point ALBENCH_DATA at the data folder and "
                "build the report again."
            )
            continue
        modality = str(getattr(ds, "modality", "tabular"))
        if modality not in SHOWN:
            continue
        expected = (info.get(label) or {}).get("n_samples")
        if expected is not None and int(expected) != ds.n_samples:
            g.notes.append(
                f"Dataset {label!r}: {ds.n_samples} rows as loaded now, {expected} when the experiment "
                "ran: the data changed, so its queried rows cannot be shown."
            )
            continue
        sub = df[df["dataset"] == label]
        labeler = _first(labeler_order, set(sub["labeler"]))
        sub = sub[sub["labeler"] == labeler]
        per_strategy = sub.groupby("strategy")["repetition"].agg(lambda r: set(map(int, r)))
        shared = set.intersection(*per_strategy.tolist()) if len(per_strategy) else set()
        rep = min(shared) if shared else int(sub["repetition"].min())
        sub = sub[sub["repetition"] == rep]
        picks, cell, notes = first_batches(sub, strategies, SAMPLES[modality])
        panel = GalleryPanel(label, modality, rep, str(labeler), cell.get("model", "?"))
        panel.notes.extend(notes)
        if not shared:
            panel.notes.append(f"No repetition is stored for every strategy; repetition {rep} is shown.")
        names = row_names(ds)
        scale = (float(ds.X.min()), float(ds.X.max())) if modality == "image" else None
        try:
            panel.strips = [
                GalleryStrip(s, _items(ds, modality, rows, names, scale)) for s, rows in picks.items()
            ]
        except (IndexError, KeyError, ValueError, TypeError, AttributeError) as exc:
            g.notes.append(f"Dataset {label!r}: its queried samples could not be shown ({exc}).")
            continue
        g.panels.append(panel)
    return g


def write_gallery_files(g: Gallery, out_dir) -> None:
    """Write every thumbnail as ``figures/gallery/<panel>_<strategy>_<k>.png`` (for ``report.md``).

    Removes the PNG files an earlier report left there first; sets each item's ``file``.
    """
    from pathlib import Path

    from albench.store import atomic_write_bytes

    folder = Path(out_dir) / GALLERY_DIR
    for old in folder.glob("*.png") if folder.is_dir() else []:
        old.unlink()
    for i, p in enumerate(g.panels):
        for j, s in enumerate(p.strips):
            for k, it in enumerate(s.items):
                if it.png is None:
                    continue
                folder.mkdir(parents=True, exist_ok=True)
                name = f"{i:02d}_{j:02d}_{k:02d}.png"
                atomic_write_bytes(folder / name, it.png)
                it.file = f"{GALLERY_DIR}/{name}"


def gallery_section(manifest: dict, df: pd.DataFrame, strategies: list[str], out_dir):
    """The report section "What each strategy queried", or None when no dataset has samples to show.

    Writes the thumbnails for ``report.md`` under ``<out_dir>/figures/gallery/`` (and removes
    those of an earlier report even when there is nothing to show now).
    """
    from albench.report.data import ReportSection

    g = build_gallery(manifest, df, strategies)
    write_gallery_files(g, out_dir)
    if not g.panels and not g.notes:
        return None
    counts = ", ".join(f"{m}: {n}" for m, n in SAMPLES.items())
    return ReportSection(
        "gallery",
        "What each strategy queried",
        "The samples themselves, with their true labels: the first ones each strategy queried "
        f"(up to {counts} per strategy), batch by batch, on one repetition (the same pool and initial "
        "set for every strategy) and one model and labeler. Images as thumbnails, texts as snippets "
        f"(whitespace collapsed, cut at {TEXT_CHARS} characters), recordings as spectrograms (log power, "
        "time left to right, low frequencies at the bottom) with their file names. Row = the row "
        "number of the dataset as loaded (the results' queried column); the data are re-loaded from "
        "the experiment's config.",
        gallery=g,
    )
