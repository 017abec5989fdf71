"""Image loaders: MNIST's IDX files, a folder of PNG/JPEG images per class, NPZ image arrays.

Every reader returns the pixels as a float64 array of shape ``(n, C, H, W)`` (values as
stored: 0..255 for 8-bit images) and the labels; :func:`albench.datasets.modal.read_modal`
flattens them into ``Dataset.X`` and records ``sample_shape = (C, H, W)``. Nothing is
rescaled here: the ``scale01`` feature pipeline does that inside a cell.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from albench.errors import AlbenchInputError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
#: IDX element types (the third byte of the magic number): numpy dtype (big-endian)
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _open_maybe_gzip(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise AlbenchInputError(f"{path}: damaged gzip file ({exc})") from None
    return raw


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file (gzip-compressed or not) as an array of its stored shape.

    Raises
    ------
    AlbenchInputError
        When the magic number is not IDX's (two zero bytes, a type code, the number of
        dimensions) or the payload does not match the header's shape.
    """
    path = Path(path)
    data = _open_maybe_gzip(path)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise AlbenchInputError(
            f"{path}: not an IDX file (expected a magic number 0x0000TTDD with type TT in "
            f"{', '.join(hex(t) for t in _IDX_TYPES)}; got {data[:4].hex() or 'an empty file'})"
        )
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise AlbenchInputError(f"{path}: IDX header truncated ({len(data)} bytes, {ndim} dimensions)")
    shape = tuple(int(v) for v in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise AlbenchInputError(
            f"{path}: IDX header says shape {shape} ({expected} bytes of data), the file holds "
            f"{len(data) - header}"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def read_idx_pair(images: Path, labels: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images ``(n, 1, H, W)`` and labels ``(n,)`` from an IDX images file and its labels file."""
    X = read_idx(images)
    y = read_idx(labels)
    if X.ndim == 3:
        X = X[:, None, :, :]
    elif X.ndim == 4:  # (n, H, W, C)
        X = np.transpose(X, (0, 3, 1, 2))
    else:
        raise AlbenchInputError(f"{images}: an IDX images file needs 3 or 4 dimensions, got shape {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise AlbenchInputError(
            f"{labels}: {y.shape[0] if y.ndim else 0} labels of shape {y.shape} for {X.shape[0]} images "
            f"in {images.name}"
        )
    return X.astype(np.float64), y.astype(np.int64)


def read_image_npz(path: Path, x_key: str = "X", y_key: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Images from an NPZ file: ``x_key`` of shape (N, H, W) or (N, H, W, C), labels in ``y_key``."""
    with np.load(path, allow_pickle=False) as npz:
        missing = [k for k in (x_key, y_key) if k not in npz.files]
        if missing:
            raise AlbenchInputError(
                f"{path}: no array {missing[0]!r} in the NPZ file; it holds "
                f"{', '.join(npz.files) or '(none)'} "
                "(set x_key / y_key)"
            )
        X, y = np.asarray(npz[x_key]), np.asarray(npz[y_key])
    if X.ndim == 3:
        X = X[:, None]
    elif X.ndim == 4:
        X = np.transpose(X, (0, 3, 1, 2))
    else:
        raise AlbenchInputError(
            f"{path}: images {x_key!r} must have shape (N, H, W) or (N, H, W, C), got {X.shape}"
        )
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise AlbenchInputError(f"{path}: {x_key} has {X.shape[0]} images and {y_key} shape {y.shape}")
    if X.dtype.kind not in "uif":
        raise AlbenchInputError(f"{path}: images {x_key!r} are not numeric (dtype {X.dtype})")
    return X.astype(np.float64), y


def read_image_folder(
    folder: Path,
    *,
    resize: list[int] | tuple[int, int] | None = None,
    mode: str | None = None,
    on_bad_file: str = "error",
) -> tuple[np.ndarray, np.ndarray, list[str], dict]:
    """Images of ``folder/<class>/*.png|jpg|jpeg`` (class = subfolder name), sorted by path.

    Parameters
    ----------
    resize : (height, width), optional
        Resize every image to this size (bilinear); without it all images must share a size.
    mode : {"L", "RGB"}, optional
        Convert to grey or colour; by default grey when every image is grey, else RGB.
    on_bad_file : {"error", "skip"}
        An unreadable image: an input error naming it, or skip it (counted in the notes).

    Returns
    -------
    (images (n, C, H, W), labels, file paths relative to folder, notes)
    """
    from PIL import Image, UnidentifiedImageError

    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise AlbenchInputError(f"{folder}: no class subfolders (expected {folder}/<class>/<image>.png)")
    arrays, labels, files, skipped = [], [], [], []
    for sub in classes:
        images = sorted(p for p in sub.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        if not images:
            raise AlbenchInputError(
                f"{sub}: empty class folder (no {', '.join(IMAGE_SUFFIXES)} files); remove it or add images"
            )
        for path in images:
            try:
                with Image.open(path) as im:
                    im.load()
                    img = (
                        im.convert(mode)
                        if mode
                        else im.convert("L" if im.mode in ("L", "1", "I;16") else "RGB")
                    )
                    if resize is not None:
                        img = img.resize((int(resize[1]), int(resize[0])), Image.Resampling.BILINEAR)
                    arr = np.asarray(img, dtype=np.float64)
            except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
                if on_bad_file == "skip":
                    skipped.append(str(path.relative_to(folder)))
                    continue
                raise AlbenchInputError(
                    f"{path}: unreadable image ({type(exc).__name__}: {exc}); expected a PNG or JPEG file"
                ) from None
            arrays.append(arr[None] if arr.ndim == 2 else np.transpose(arr, (2, 0, 1)))
            labels.append(sub.name)
            files.append(str(path.relative_to(folder)))
    if not arrays:
        raise AlbenchInputError(f"{folder}: no readable image")
    channels = {a.shape[0] for a in arrays}
    if len(channels) > 1:  # grey and colour mixed: colour for all
        arrays = [np.repeat(a, 3, axis=0) if a.shape[0] == 1 else a for a in arrays]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        odd = next(i for i, a in enumerate(arrays) if a.shape != arrays[0].shape)
        raise AlbenchInputError(
            f"{folder}: images differ in size ({arrays[0].shape[1:]} in {files[0]}, "
            f"{arrays[odd].shape[1:]} in {files[odd]}); set resize = [H, W]"
        )
    notes: dict = {}
    if skipped:
        notes["skipped_files"] = skipped
        notes["n_skipped"] = len(skipped)
    return np.stack(arrays), np.asarray(labels), files, notes
