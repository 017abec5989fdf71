"""Image loaders: IDX (gzip or not), image folders (PNG/JPEG, resize, bad files), NPZ images."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from albench.datasets.cards import load_file
from albench.errors import AlbenchInputError


def _idx(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(">u1" if type_code == 0x08 else ">i4").tobytes()


@pytest.fixture
def mnist_like(data_dir):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(12, 5, 4), dtype=np.uint8)
    labels = np.array([0, 1, 2] * 4, dtype=np.uint8)
    return images, labels


@pytest.mark.parametrize("compressed", [True, False])
def test_idx_pair_gives_flat_pixels_and_image_shape(data_dir, mnist_like, compressed):
    images, labels = mnist_like
    pack = gzip.compress if compressed else (lambda b: b)
    suffix = ".gz" if compressed else ""
    (data_dir / f"img-idx3-ubyte{suffix}").write_bytes(pack(_idx(images)))
    (data_dir / f"lab-idx1-ubyte{suffix}").write_bytes(pack(_idx(labels)))
    ds = load_file(f"img-idx3-ubyte{suffix}", labels_file=f"lab-idx1-ubyte{suffix}")
    assert ds.modality == "image" and ds.sample_shape == (1, 5, 4)
    assert ds.X.shape == (12, 20)
    # row i is image i, flattened in C order
    np.testing.assert_array_equal(ds.X[7], images[7].reshape(-1).astype(float))
    assert ds.classes.tolist() == [0, 1, 2] and ds.y.tolist() == labels.tolist()


def test_idx_bad_magic_and_truncated_payload_name_the_file(data_dir, mnist_like):
    images, labels = mnist_like
    (data_dir / "lab-idx1-ubyte").write_bytes(_idx(labels))
    (data_dir / "bad-idx3-ubyte").write_bytes(b"\x12\x34\x08\x03" + b"\x00" * 40)
    with pytest.raises(AlbenchInputError, match=r"bad-idx3-ubyte: not an IDX file"):
        load_file("bad-idx3-ubyte", labels_file="lab-idx1-ubyte")
    (data_dir / "short-idx3-ubyte").write_bytes(_idx(images)[:-7])
    with pytest.raises(AlbenchInputError, match=r"short-idx3-ubyte: IDX header says shape \(12, 5, 4\)"):
        load_file("short-idx3-ubyte", labels_file="lab-idx1-ubyte")


def test_idx_label_count_must_match(data_dir, mnist_like):
    images, labels = mnist_like
    (data_dir / "img-idx3-ubyte").write_bytes(_idx(images))
    (data_dir / "lab-idx1-ubyte").write_bytes(_idx(labels[:-1]))
    with pytest.raises(AlbenchInputError, match="11 labels .* for 12 images"):
        load_file("img-idx3-ubyte", labels_file="lab-idx1-ubyte")


def test_idx_without_labels_file_is_refused(data_dir):
    with pytest.raises(AlbenchInputError, match="needs labels_file"):
        load_file("img-idx3-ubyte")


def _png(path, value, size=(4, 3), mode="L"):
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.full((size[1], size[0]) + (() if mode == "L" else (3,)), value, dtype=np.uint8)
    Image.fromarray(arr, mode=mode).save(path)


def test_image_folder_labels_from_subfolders_sorted_by_path(data_dir):
    root = data_dir / "pics"
    _png(root / "cat" / "b.png", 10)
    _png(root / "cat" / "a.png", 20)
    _png(root / "dog" / "c.jpg", 200)
    ds = load_file("pics", format="image_folder")
    assert ds.sample_shape == (1, 3, 4) and ds.X.shape == (3, 12)
    assert ds.meta["files"] == ["cat/a.png", "cat/b.png", "dog/c.jpg"]
    np.testing.assert_array_equal(ds.X[:, 0], [20, 10, 200])  # JPEG of a flat image stays flat
    assert ds.classes[ds.y].tolist() == ["cat", "cat", "dog"]


def test_image_folder_resize_and_colour(data_dir):
    root = data_dir / "pics"
    _png(root / "a" / "x.png", 50, size=(8, 6), mode="RGB")
    _png(root / "b" / "y.png", 90, size=(4, 4))
    with pytest.raises(AlbenchInputError, match="images differ in size"):
        load_file("pics", format="image_folder")
    ds = load_file("pics", format="image_folder", resize=[2, 3])
    assert ds.sample_shape == (3, 2, 3)  # grey and colour mixed: colour for all
    np.testing.assert_array_equal(ds.X[1], np.full(18, 90.0))


def test_image_folder_unreadable_image_is_an_error_or_a_counted_skip(data_dir):
    root = data_dir / "pics"
    _png(root / "a" / "x.png", 1)
    _png(root / "b" / "y.png", 2)
    _png(root / "b" / "z.png", 3)
    (root / "b" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(AlbenchInputError, match=r"b/broken.png: unreadable image .* expected a PNG or JPEG"):
        load_file("pics", format="image_folder")
    with pytest.warns(UserWarning, match="skipped 1 bad file"):
        ds = load_file("pics", format="image_folder", on_bad_file="skip")
    assert ds.n_samples == 3 and ds.meta["n_skipped"] == 1 and ds.meta["skipped_files"] == ["b/broken.png"]


def test_image_folder_empty_class_folder_is_named(data_dir):
    root = data_dir / "pics"
    _png(root / "a" / "x.png", 1)
    (root / "empty").mkdir()
    with pytest.raises(AlbenchInputError, match=r"pics/empty: empty class folder"):
        load_file("pics", format="image_folder")


@pytest.mark.parametrize("shape", [(6, 3, 2), (6, 3, 2, 3)])
def test_npz_images(data_dir, shape):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 255, size=shape).astype(np.uint8)
    np.savez(data_dir / "imgs.npz", images=X, labels=np.array([0, 1] * 3))
    ds = load_file("imgs.npz", format="image_npz", x_key="images", y_key="labels")
    channels = 1 if len(shape) == 3 else 3
    assert ds.sample_shape == (channels, 3, 2)
    first = X[2] if len(shape) == 3 else np.transpose(X[2], (2, 0, 1))
    np.testing.assert_array_equal(ds.X[2], first.reshape(-1))
    np.savez(data_dir / "flat.npz", images=X.reshape(6, -1), labels=np.arange(6) % 2)
    with pytest.raises(AlbenchInputError, match=r"must have shape \(N, H, W\) or \(N, H, W, C\)"):
        load_file("flat.npz", format="image_npz", x_key="images", y_key="labels")
