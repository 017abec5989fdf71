"""describe_dataset: what a user checks first, computed from the loaded data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from albench.datasets.describe import describe_dataset
from albench.errors import AlbenchInputError


def test_bundled_table():
    d = describe_dataset("iris")
    assert d["rows"] == 150 and d["X_shape"] == [150, 4] and d["sample_shape"] == [4]
    assert [c["count"] for c in d["classes"]] == [50, 50, 50]
    assert d["modality"] == "tabular" and d["groups"] is None and d["features"] is None
    assert d["checksum_verified"] is False and "bundled" in d["checksum"]
    json.dumps(d)  # JSON-ready


def test_text_file_with_checksum_and_data_dir(tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "t.all").write_text("0 a\n1 b\n1 c\n", encoding="utf-8")
    import hashlib

    sha = hashlib.sha256((folder / "t.all").read_bytes()).hexdigest()
    d = describe_dataset(
        {"name": "file", "path": "t.all", "format": "text_lines", "sha256": sha}, data_dir=folder
    )
    assert d["modality"] == "text" and d["rows"] == 3 and d["sample_shape"] is None
    assert [(c["label"], c["count"]) for c in d["classes"]] == [("0", 1), ("1", 2)]
    assert d["checksum_verified"] is True and d["path"] == str(folder / "t.all")
    assert d["features"]["name"] == "tfidf" and d["data_dir"] == str(folder)
    unchecked = describe_dataset({"name": "file", "path": "t.all", "format": "text_lines"}, data_dir=folder)
    assert unchecked["checksum_verified"] is False
    with pytest.raises(AlbenchInputError, match="checksum mismatch"):
        describe_dataset(
            {"name": "file", "path": "t.all", "format": "text_lines", "sha256": "0" * 64}, data_dir=folder
        )


def test_groups_and_image_shape(tmp_path):
    X = np.zeros((4, 2, 3), dtype=np.uint8)
    np.savez(tmp_path / "im.npz", X=X, y=np.array([0, 1, 0, 1]))
    d = describe_dataset({"name": "file", "path": "im.npz", "format": "image_npz"}, data_dir=tmp_path)
    assert d["sample_shape"] == [1, 2, 3] and d["X_shape"] == [4, 6] and d["features"]["name"] == "scale01"


def test_unknown_name_lists_the_registered_ones():
    with pytest.raises(AlbenchInputError, match="unknown dataset"):
        describe_dataset("no-such-set")
