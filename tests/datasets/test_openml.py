"""``openml:<id>`` through scikit-learn's fetcher, offline: a cache built from a local ARFF file."""

from __future__ import annotations

import gzip
import hashlib
import json
import urllib.request
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets.openml import CACHE_ENV, openml_cache_dir
from albench.errors import AlbenchInputError
from albench.grid import load_dataset
from albench.registry import DATASETS

ARFF = """@RELATION toy
@ATTRIBUTE colour {red,green,blue}
@ATTRIBUTE width NUMERIC
@ATTRIBUTE height NUMERIC
@ATTRIBUTE class {good,bad}
@DATA
red,1.0,2.0,good
green,?,3.0,bad
blue,3.0,4.0,good
red,4.0,?,bad
green,5.0,6.0,good
blue,6.0,7.0,bad
"""


def _gz(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wb") as fh:
        fh.write(payload)


def write_openml_cache(cache: Path, data_id: int, arff_text: str) -> None:
    """Lay out ``arff_text`` as scikit-learn's OpenML cache holds a downloaded dataset."""
    root = cache / "openml" / "openml.org"
    file_id = 1000 + data_id
    data = arff_text.encode()
    description = {
        "data_set_description": {
            "id": str(data_id),
            "name": "toy",
            "version": "1",
            "format": "ARFF",
            "file_id": str(file_id),
            "url": f"https://www.openml.org/data/v1/download/{file_id}/toy.arff",
            "default_target_attribute": "class",
            "status": "active",
            "licence": "Public",
            "md5_checksum": hashlib.md5(data).hexdigest(),
            "description": "a toy data set",
        }
    }
    attributes = [
        ("colour", ["red", "green", "blue"]),
        ("width", None),
        ("height", None),
        ("class", ["good", "bad"]),
    ]
    features = {
        "data_features": {
            "feature": [
                {
                    "index": str(i),
                    "name": name,
                    "data_type": "nominal" if values else "numeric",
                    **({"nominal_value": values} if values else {}),
                    "is_target": "true" if name == "class" else "false",
                    "is_ignore": "false",
                    "is_row_identifier": "false",
                    "number_of_missing_values": "0",
                }
                for i, (name, values) in enumerate(attributes)
            ]
        }
    }
    qualities = {"data_qualities": {"quality": [{"name": "NumberOfInstances", "value": "6.0"}]}}
    _gz(root / f"api/v1/json/data/{data_id}.gz", json.dumps(description).encode())
    _gz(root / f"api/v1/json/data/features/{data_id}.gz", json.dumps(features).encode())
    _gz(root / f"api/v1/json/data/qualities/{data_id}.gz", json.dumps(qualities).encode())
    _gz(root / f"data/v1/download/{file_id}/toy.arff.gz", data)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No network (every urlopen fails) and a private, empty OpenML cache."""

    def refuse(*args, **kwargs):
        raise URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    import sklearn.datasets._openml as skopenml

    monkeypatch.setattr(skopenml, "urlopen", refuse)
    cache = tmp_path / "sk_cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    yield cache
    for name in [n for n in DATASETS.names() if n.startswith("openml:")]:
        DATASETS._entries.pop(name, None)


def test_cached_dataset_loads_offline(offline):
    write_openml_cache(offline, 4242, ARFF)
    exp = parse_config({"grid": {"datasets": ["openml:4242"], "strategies": ["random"]}})
    ds = load_dataset(exp.datasets[0])
    assert ds.name == "openml:4242"
    assert ds.feature_names == ("colour=blue", "colour=green", "colour=red", "width", "height")
    assert ds.X[1, 3] == pytest.approx(np.mean([1.0, 3.0, 4.0, 5.0, 6.0]))  # imputed
    assert ds.classes.tolist() == ["bad", "good"]
    assert ds.meta["source"] == "openml:4242" and ds.meta["target"] == "class"
    assert ds.meta["url"] == "https://www.openml.org/d/4242"


def test_options_as_parameters(offline):
    write_openml_cache(offline, 4243, ARFF)
    exp = parse_config(
        {
            "grid": {
                "datasets": [{"name": "openml:4243", "target": "colour", "impute": "median"}],
                "strategies": ["random"],
            }
        }
    )
    ds = load_dataset(exp.datasets[0])
    assert ds.classes.tolist() == ["blue", "green", "red"]
    assert "class=good" in ds.feature_names
    assert exp.datasets[0].resolved["impute"] == "median"


def test_unknown_id_offline_is_a_clear_error(offline):
    exp = parse_config({"grid": {"datasets": ["openml:999999"], "strategies": ["random"]}})
    with pytest.raises(AlbenchInputError) as err:
        load_dataset(exp.datasets[0])
    msg = str(err.value)
    assert "OpenML dataset 999999 is not in the local cache" in msg
    assert str(offline / "openml") in msg and "cannot be reached" in msg


def test_bad_target_on_openml_data(offline):
    write_openml_cache(offline, 4244, ARFF)
    exp = parse_config(
        {"grid": {"datasets": [{"name": "openml:4244", "target": "nope"}], "strategies": ["random"]}}
    )
    with pytest.raises(AlbenchInputError, match="target column 'nope' does not exist"):
        load_dataset(exp.datasets[0])


@pytest.mark.parametrize("name", ["openml:abc", "openml:0", "openml:"])
def test_malformed_openml_names(name):
    with pytest.raises(AlbenchInputError, match=r"grid.datasets\[0\]: dataset .*give an OpenML data id"):
        parse_config({"grid": {"datasets": [name]}})


def test_unknown_prefix_is_an_unknown_dataset():
    with pytest.raises(AlbenchInputError, match="unknown dataset"):
        parse_config({"grid": {"datasets": ["kaggle:3"]}})


def test_cache_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "a"))
    assert openml_cache_dir() == (tmp_path / "a").resolve()
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "b"))
    assert openml_cache_dir() == (tmp_path / "b").resolve()
