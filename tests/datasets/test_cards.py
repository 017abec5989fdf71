"""Dataset cards: parsing, registration, checksums, missing files, suites, availability."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from albench.config import parse_config
from albench.datasets import cards
from albench.datasets.loaders import sha256_file
from albench.errors import AlbenchInputError
from albench.grid import expand_grid, load_dataset
from albench.registry import DATASETS, SUITES

LIBSVM = "-1 1:0.1 2:1\n1 1:0.9 2:0\n-1 1:0.2 2:1\n1 1:0.8\n-1 1:0.3 2:1\n1 1:0.7\n" * 5


def _write_data(folder: Path, name: str = "toy-svmstyle.txt", text: str = LIBSVM) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return sha256_file(folder / name)


def _card(sha: str, extra: str = "") -> str:
    return f"""
        [defaults]
        format = "libsvm"
        subdir = "toyset"
        url = "https://example.org/toy"
        licence = "CC0"
        citation = "Nobody (2024). Toy data."

        [[dataset]]
        name = "test.toy"
        description = "toy"
        file = "toy-svmstyle.txt"
        sha256 = "{sha}"
        n_features = 2
        n_samples = 30
        n_classes = 2
        task = "binary"
        {extra}

        [suites.test-toys]
        description = "toys"
        datasets = ["test.toy"]
        """


def test_card_registers_and_loads_with_provenance(data_dir, card_file):
    sha = _write_data(data_dir)
    assert card_file(_card(sha)) == ["test.toy"]
    entry = DATASETS.get("test.toy")
    assert entry.meta["source"] == "file toyset/toy-svmstyle.txt (libsvm)"
    assert entry.reference.startswith("Nobody")
    ds = entry.obj()
    assert ds.X.shape == (30, 2)
    assert ds.meta["sha256"] == sha
    assert ds.meta["licence"] == "CC0"
    assert ds.meta["url"] == "https://example.org/toy"
    assert ds.meta["path"] == str(data_dir / "toy-svmstyle.txt")
    assert cards.availability(entry) == "yes"


def test_file_also_found_in_the_cards_subfolder(data_dir, card_file):
    (data_dir / "toyset").mkdir()
    sha = _write_data(data_dir / "toyset")
    card_file(_card(sha))
    assert DATASETS.get("test.toy").obj().meta["path"] == str(data_dir / "toyset" / "toy-svmstyle.txt")


def test_missing_file_error_names_file_places_and_origin(data_dir, card_file):
    card_file(_card("a" * 64))
    with pytest.raises(AlbenchInputError) as err:
        DATASETS.get("test.toy").obj()
    msg = str(err.value)
    assert "'toy-svmstyle.txt' not found" in msg
    assert str(data_dir / "toy-svmstyle.txt") in msg and str(data_dir / "toyset" / "toy-svmstyle.txt") in msg
    assert "https://example.org/toy" in msg
    assert cards.availability(DATASETS.get("test.toy")) == "missing"
    assert list(data_dir.iterdir()) == []  # nothing downloaded or created


def test_checksum_mismatch_is_an_error_and_the_file_is_untouched(data_dir, card_file):
    _write_data(data_dir)
    before = (data_dir / "toy-svmstyle.txt").read_bytes()
    card_file(_card("b" * 64))
    with pytest.raises(AlbenchInputError, match=r"checksum mismatch.*toy-svmstyle.txt.*expects bbbb"):
        DATASETS.get("test.toy").obj()
    assert (data_dir / "toy-svmstyle.txt").read_bytes() == before
    assert cards.availability(DATASETS.get("test.toy")) == "wrong checksum"


def test_card_shape_is_checked(data_dir, card_file):
    sha = _write_data(data_dir)
    card_file(_card(sha).replace("n_samples = 30", "n_samples = 31"))
    with pytest.raises(AlbenchInputError, match="30 rows, but the card says n_samples = 31"):
        DATASETS.get("test.toy").obj()


def test_checksum_is_part_of_the_cell_key(data_dir, card_file):
    sha = _write_data(data_dir)
    card_file(_card(sha))
    raw = {"grid": {"datasets": ["test.toy"], "strategies": ["random"]}, "repetitions": 1}
    key1 = expand_grid(parse_config(raw))[0].key
    card_file(_card("c" * 64))
    key2 = expand_grid(parse_config(raw))[0].key
    assert key1 != key2


def test_suite_from_a_card_file(data_dir, card_file):
    sha = _write_data(data_dir)
    card_file(_card(sha))
    assert SUITES.get("test-toys").obj["datasets"] == ["test.toy"]
    exp = parse_config({"suite": "test-toys", "grid": {"strategies": ["random"]}})
    assert [d.name for d in exp.datasets] == ["test.toy"]
    assert load_dataset(exp.datasets[0]).n_samples == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[dataset]]\nname = "x"\n', "exactly one source"),
        ('[[dataset]]\nname = "x"\nfile = "a.txt"\nopenml = 3\n', "exactly one source"),
        ('[[dataset]]\nname = "x"\nfile = "a.bin"\n', "cannot tell the format"),
        ('[[dataset]]\nname = "x"\nfile = "a.csv"\ncolour = 1\n', "unknown card key 'colour'"),
        ('[[dataset]]\nname = "x"\nfile = "a.csv"\nsha256 = "xyz"\n', "64 lower-case hex"),
        (
            '[[dataset]]\nname = "x"\nfile = "a.svm"\ntarget = "y"\n',
            "option 'target' does not apply to libsvm",
        ),
        ('[[dataset]]\nname = "a:b"\nfile = "a.csv"\n', "without ':'"),
        ('[[dataset]]\nname = "x"\nopenml = -2\n', "positive OpenML data id"),
        ("[[dataset]\n", "card file"),
        ("[other]\n", "unknown table 'other'"),
        ("[suites.s]\ndatasets = []\n", "non-empty datasets list"),
    ],
)
def test_malformed_cards_are_rejected(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=message):
        cards.read_card_file(path)


def test_packaged_cards_cover_the_shared_checksums():
    folder = cards.cards_dir()
    assert folder is not None and (folder / "zhan2021.toml").is_file()
    card_list, suites = cards.read_card_file(folder / "zhan2021.toml")
    assert len(card_list) == 34
    assert len(suites["zhan2021-binary"]["datasets"]) == 26
    assert len(suites["zhan2021-multiclass"]["datasets"]) == 8
    names = {c.name for c in card_list}
    assert (
        set(suites["zhan2021-binary"]["datasets"]) | set(suites["zhan2021-multiclass"]["datasets"]) == names
    )
    sums = Path(__file__).resolve().parents[3] / "shared" / "data" / "zhan2021" / "SHA256SUMS"
    if sums.is_file():  # the cards record exactly the published checksums
        published = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
        assert {c.file: c.sha256 for c in card_list} == published


def test_broken_card_file_is_listed_as_unavailable(tmp_path, monkeypatch):
    (tmp_path / "broken.toml").write_text("[[dataset]]\nname = 3\n", encoding="utf-8")
    monkeypatch.setattr(cards, "cards_dir", lambda: tmp_path)
    cards.register_builtin_cards()
    try:
        assert "<cards broken.toml>" in DATASETS.unavailable
    finally:
        DATASETS.unavailable.pop("<cards broken.toml>", None)


def test_cards_dir_prefers_the_installed_copy(tmp_path, monkeypatch):
    import albench

    fake_pkg = tmp_path / "albench"
    (fake_pkg / "_cards").mkdir(parents=True)
    shutil.copy(Path(albench.__file__), fake_pkg / "__init__.py")

    class Files:
        def __truediv__(self, other):
            return fake_pkg / other

    monkeypatch.setattr(cards.resources, "files", lambda pkg: Files())
    assert cards.cards_dir() == fake_pkg / "_cards"


def test_user_cards_from_a_plugin_work_in_parallel_workers(tmp_path, monkeypatch):
    from albench.datasets.datadir import ENV_VAR, set_data_dir
    from albench.plugins import load_plugin_file
    from albench.runner import run_experiment

    monkeypatch.delenv(ENV_VAR, raising=False)
    data = tmp_path / "d"
    data.mkdir()
    sha = _write_data(data)
    (tmp_path / "cards.toml").write_text(_card(sha).replace("test.toy", "plugin.toy"), encoding="utf-8")
    plugin = tmp_path / "my_plugin.py"
    plugin.write_text(
        "from pathlib import Path\nfrom albench.datasets import register_cards\n"
        "register_cards(Path(__file__).parent / 'cards.toml')\n",
        encoding="utf-8",
    )
    try:
        load_plugin_file(plugin)
        exp = parse_config(
            {
                "name": "plug",
                "repetitions": 2,
                "protocol": {"initial_size": 4, "batch_size": 2, "budget": 4},
                "grid": {"datasets": ["plugin.toy"], "strategies": ["random", "margin"]},
            }
        )
        summary = run_experiment(
            exp, out=tmp_path / "r", n_jobs=2, plugin_files=(str(plugin),), data_dir=data
        )
        assert summary.failed == [] and summary.ran == 4
    finally:
        set_data_dir(None)
        DATASETS._entries.pop("plugin.toy", None)
        SUITES._entries.pop("test-toys", None)
