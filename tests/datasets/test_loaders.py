"""Each file format, written by the test itself, through the ``file`` dataset and the loaders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from albench.datasets.cards import load_file
from albench.datasets.loaders import frame_to_arrays, normalize_format, sha256_file
from albench.errors import AlbenchInputError


def _csv(folder):
    path = folder / "toy.csv"
    path.write_text(
        "age,colour,size,label\n"
        "1.0,red,3,yes\n"
        "2.0,blue,,no\n"
        ",red,5,yes\n"
        "4.0,?,6,no\n"
        "5.0,green,7,yes\n"
        "6.0,blue,8,no\n",
        encoding="utf-8",
    )
    return path


def test_csv_categoricals_one_hot_and_missing_imputed(data_dir):
    _csv(data_dir)
    ds = load_file("toy.csv", target="label")
    assert ds.feature_names == ("age", "colour=blue", "colour=green", "colour=red", "size")
    assert ds.X.shape == (6, 5)
    assert np.isfinite(ds.X).all()
    # age mean of the present values (1, 2, 4, 5, 6) = 3.6 fills row 2
    assert ds.X[2, 0] == pytest.approx(3.6)
    # size mean of (3, 5, 6, 7, 8) = 5.8 fills row 1
    assert ds.X[1, 4] == pytest.approx(5.8)
    # missing colour gets the most frequent category (blue and red tie at 2: first in sorted order)
    assert ds.X[3, 1:4].tolist() == [1.0, 0.0, 0.0]
    assert ds.classes.tolist() == ["no", "yes"]
    assert ds.y.tolist() == [1, 0, 1, 0, 1, 0]
    assert ds.meta["missing_values_imputed"] == 3
    assert ds.meta["categorical_columns"] == ["colour"]


@pytest.mark.parametrize(
    ("impute", "row_2_age"),
    [("median", 4.0), ("most_frequent", 1.0)],
)
def test_csv_impute_options(data_dir, impute, row_2_age):
    _csv(data_dir)
    ds = load_file("toy.csv", target="label", impute=impute)
    assert ds.X[2, 0] == pytest.approx(row_2_age)


def test_csv_impute_drop_and_error(data_dir):
    _csv(data_dir)
    ds = load_file("toy.csv", target="label", impute="drop")
    assert ds.n_samples == 3
    assert ds.meta["rows_with_missing_values_dropped"] == 3
    with pytest.raises(AlbenchInputError, match="missing feature value.*impute = 'error'"):
        load_file("toy.csv", target="label", impute="error")


def test_csv_ordinal_and_categorical_error(data_dir):
    _csv(data_dir)
    ds = load_file("toy.csv", target="label", categorical="ordinal")
    assert ds.feature_names == ("age", "colour", "size")
    with pytest.raises(AlbenchInputError, match="non-numeric column.*'colour'"):
        load_file("toy.csv", target="label", categorical="error")


def test_csv_drop_columns_and_forced_categorical(data_dir):
    _csv(data_dir)
    ds = load_file("toy.csv", target="label", drop_columns=["colour"], categorical_columns=["size"])
    assert ds.feature_names[0] == "age"
    assert all(n.startswith("size=") for n in ds.feature_names[1:])


def test_unknown_target_column_is_a_clear_error(data_dir):
    _csv(data_dir)
    with pytest.raises(AlbenchInputError, match=r"target column .klass. does not exist; columns: age, colo"):
        load_file("toy.csv", target="klass")


def test_default_target_is_the_last_column(data_dir):
    _csv(data_dir)
    assert load_file("toy.csv").meta["target"] == "label"


def test_bad_options_are_named(data_dir):
    _csv(data_dir)
    with pytest.raises(AlbenchInputError, match="impute = 'zero'.*allowed: mean, median"):
        load_file("toy.csv", impute="zero")
    with pytest.raises(AlbenchInputError, match="categorical = 'hash'"):
        load_file("toy.csv", categorical="hash")


def test_rows_without_label_are_dropped_and_counted(data_dir):
    (data_dir / "t.csv").write_text("a,y\n1,0\n2,\n3,1\n4,1\n", encoding="utf-8")
    ds = load_file("t.csv", target="y")
    assert ds.n_samples == 3
    assert ds.meta["rows_without_label_dropped"] == 1


def test_tsv(data_dir):
    (data_dir / "t.tsv").write_text("a\tb\ty\n1\t2\t0\n3\t4\t1\n5\t6\t1\n", encoding="utf-8")
    assert load_file("t.tsv").X.tolist() == [[1, 2], [3, 4], [5, 6]]


def test_parquet(data_dir):
    frame = pd.DataFrame(
        {
            "x": [0.5, 1.5, np.nan, 3.5],
            "kind": pd.Categorical(["a", "b", "a", None]),
            "flag": [True, False, True, False],
            "target": [1, 2, 1, 2],
        }
    )
    frame.to_parquet(data_dir / "t.parquet")
    ds = load_file("t.parquet", target="target")
    assert ds.feature_names == ("x", "kind=a", "kind=b", "flag")
    assert ds.X[2, 0] == pytest.approx(np.mean([0.5, 1.5, 3.5]))
    assert ds.X[3, 1:3].tolist() == [1.0, 0.0]
    assert ds.X[:, 3].tolist() == [1.0, 0.0, 1.0, 0.0]
    assert ds.classes.tolist() == [1, 2]


ARFF = """% a tiny ARFF file
@RELATION weather
@ATTRIBUTE outlook {sunny, overcast, rainy}
@ATTRIBUTE temperature NUMERIC
@ATTRIBUTE windy {TRUE, FALSE}
@ATTRIBUTE play {yes, no}
@DATA
sunny,85,FALSE,no
sunny,?,TRUE,no
overcast,83,FALSE,yes
rainy,70,?,yes
rainy,68,FALSE,yes
overcast,64,TRUE,yes
"""


def test_arff(data_dir):
    (data_dir / "weather.arff").write_text(ARFF, encoding="utf-8")
    ds = load_file("weather.arff")
    assert ds.meta["target"] == "play"
    assert ds.feature_names == (
        "outlook=overcast",
        "outlook=rainy",
        "outlook=sunny",
        "temperature",
        "windy=FALSE",
        "windy=TRUE",
    )
    assert ds.X[1, 3] == pytest.approx(np.mean([85, 83, 70, 68, 64]))
    assert ds.X[3, 4:].tolist() == [1.0, 0.0]  # missing windy -> most frequent (FALSE)
    assert ds.classes.tolist() == ["no", "yes"]


def test_libsvm_binary_minus_one_one(data_dir):
    (data_dir / "b.txt").write_text("-1 1:0.5 3:1\n+1 2:2\n-1 1:1.5\n+1 3:-1\n", encoding="utf-8")
    ds = load_file("b.txt", format="libsvm")
    assert ds.X.shape == (4, 3)
    assert ds.X[0].tolist() == [0.5, 0.0, 1.0]
    assert ds.classes.tolist() == [-1.0, 1.0]
    assert ds.y.tolist() == [0, 1, 0, 1]


def test_libsvm_multiclass_one_to_k_and_n_features(data_dir):
    (data_dir / "m.svmlight").write_text("1 1:1\n2 2:1\n3 1:1 2:1\n1 1:2\n", encoding="utf-8")
    ds = load_file("m.svmlight", n_features=4)
    assert ds.X.shape == (4, 4)
    assert ds.classes.tolist() == [1.0, 2.0, 3.0]
    assert ds.y.tolist() == [0, 1, 2, 0]


def test_npz(data_dir):
    X = np.array([[1.0, np.nan], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]])
    np.savez(data_dir / "a.npz", X=X, y=np.array([0, 1, 0, 1]), feature_names=np.array(["p", "q"]))
    ds = load_file("a.npz")
    assert ds.feature_names == ("p", "q")
    assert ds.X[0, 1] == pytest.approx(6.0)
    np.savez(data_dir / "b.npz", features=X[1:], labels=np.array([0, 1, 1]))
    assert load_file("b.npz", x_key="features", y_key="labels").n_samples == 3
    with pytest.raises(AlbenchInputError, match="no array 'X' in the NPZ file; it holds features, labels"):
        load_file("b.npz")


def test_single_class_is_a_clear_error(data_dir):
    (data_dir / "one.csv").write_text("a,y\n1,k\n2,k\n3,k\n", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match="needs at least 2 classes, found 1"):
        load_file("one.csv")


def test_missing_file_names_the_places_looked(data_dir):
    with pytest.raises(AlbenchInputError) as err:
        load_file("nope.csv")
    msg = str(err.value)
    assert "'nope.csv' not found" in msg and str(data_dir / "nope.csv") in msg and "from the test" in msg


def test_checksum_of_a_file_dataset(data_dir):
    path = _csv(data_dir)
    good = sha256_file(path)
    assert load_file("toy.csv", sha256=good).meta["sha256"] == good
    with pytest.raises(AlbenchInputError, match="checksum mismatch"):
        load_file("toy.csv", sha256="0" * 64)


def test_unparseable_file_is_an_input_error(data_dir):
    (data_dir / "bad.npz").write_bytes(b"not a zip file")
    with pytest.raises(AlbenchInputError, match="cannot read .*bad.npz.* as npz"):
        load_file("bad.npz")


def test_format_inference():
    assert normalize_format(None, "x.svm", "w") == "libsvm"
    assert normalize_format("svmlight", "x.txt", "w") == "libsvm"
    with pytest.raises(AlbenchInputError, match="cannot tell the format of 'x.txt'"):
        normalize_format(None, "x.txt", "w")
    with pytest.raises(AlbenchInputError, match="format = 'xlsx'"):
        normalize_format("xlsx", "x.txt", "w")


def test_frame_to_arrays_does_not_modify_its_input():
    frame = pd.DataFrame({"a": [1.0, np.nan, 3.0], "y": [0, 1, 0]})
    before = frame.copy()
    frame_to_arrays(frame, "y", where="t")
    pd.testing.assert_frame_equal(frame, before)
