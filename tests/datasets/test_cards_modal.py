"""Cards for images, texts and recordings: parts, per-file and folder checksums, default pipelines."""

from __future__ import annotations

import hashlib
import wave

import numpy as np
import pytest

from albench.config import parse_config
from albench.datasets import cards
from albench.datasets.loaders import sha256_file
from albench.errors import AlbenchInputError
from albench.registry import DATASETS


def _parts(folder):
    (folder / "tr.txt").write_text("0 a b\n1 c d\n0 a c\n1 d d\n", encoding="utf-8")
    (folder / "te.txt").write_text("0 a\n1 d\n", encoding="utf-8")
    return {n: sha256_file(folder / n) for n in ("tr.txt", "te.txt")}


def _parts_card(sha: dict, extra: str = "") -> str:
    return f"""
        [[dataset]]
        name = "test.pub"
        format = "text_lines"
        file = {{ train = "tr.txt", test = "te.txt" }}
        sha256 = {{ "tr.txt" = "{sha["tr.txt"]}", "te.txt" = "{sha["te.txt"]}" }}
        labels = ["0", "1"]
        n_samples = 6
        {extra}
        """


def test_published_parts_load_in_order_with_their_part_names(data_dir, card_file):
    card_file(_parts_card(_parts(data_dir)))
    ds = DATASETS.get("test.pub").obj()
    assert ds.raw.tolist() == ["a b", "c d", "a c", "d d", "a", "d"]
    assert ds.parts.tolist() == ["train"] * 4 + ["test"] * 2
    assert ds.describe()["parts"] == {"test": 2, "train": 4}
    only = DATASETS.get("test.pub").obj(use_parts=["train"])
    assert only.n_samples == 4
    with pytest.raises(AlbenchInputError, match=r"use_parts = \['dev'\]: must be a non-empty list"):
        DATASETS.get("test.pub").obj(use_parts=["dev"])


def test_one_changed_part_is_named_in_the_checksum_error(data_dir, card_file):
    card_file(_parts_card(_parts(data_dir)))
    (data_dir / "te.txt").write_text("0 a\n1 changed\n", encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=r"checksum mismatch for file '.*te.txt'"):
        DATASETS.get("test.pub").obj()
    assert cards.availability(DATASETS.get("test.pub")) == "wrong checksum"


def test_missing_part_is_named(data_dir, card_file):
    card_file(_parts_card(_parts(data_dir)))
    (data_dir / "te.txt").unlink()
    with pytest.raises(AlbenchInputError, match=r"file\(s\) 'tr.txt \+ te.txt' not found"):
        DATASETS.get("test.pub").obj()
    assert cards.availability(DATASETS.get("test.pub")) == "missing"


@pytest.mark.parametrize(
    "table, match",
    [
        (
            'file = { train = "a" }\nformat = "libsvm"',
            "a table of parts needs format = one of text_lines, text_csv",
        ),
        (
            'file = "a.txt"\nformat = "text_lines"\nsha256 = { "b.txt" = "' + "0" * 64 + '" }',
            "one 64-hex-digit",
        ),
        ('file = "x-idx3-ubyte.gz"', "format 'idx' needs labels_file"),
        (
            'file = "a.txt"\nformat = "text_lines"\nlabels_file = "b"',
            "labels_file applies to the idx format only",
        ),
        ('file = "a.txt"\nformat = "text_lines"\nfeatures = 3', "features = 3: must be a pipeline name"),
        (
            'file = "a.txt"\nformat = "text_lines"\npattern = "{label}.wav"',
            "option 'pattern' does not apply to text_lines",
        ),
    ],
)
def test_bad_modal_cards_are_refused(tmp_path, table, match):
    path = tmp_path / "bad.toml"
    path.write_text(f'[[dataset]]\nname = "bad"\n{table}\n', encoding="utf-8")
    with pytest.raises(AlbenchInputError, match=match):
        cards.read_card_file(path)


def _recordings(folder):
    folder.mkdir(parents=True)
    for name in ("0_a_0.wav", "1_a_0.wav", "0_b_0.wav", "1_b_0.wav"):
        with wave.open(str(folder / name), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(np.arange(20, dtype="<i2").tobytes())


def test_folder_checksum_is_the_sha256_of_its_listing(data_dir, card_file):
    rec = data_dir / "speech" / "rec"
    _recordings(rec)
    # by hand: the SHA256SUMS-style listing, sorted by path
    listing = "".join(
        f"{hashlib.sha256((rec / n).read_bytes()).hexdigest()}  {n}\n"
        for n in sorted(p.name for p in rec.iterdir())
    )
    expected = hashlib.sha256(listing.encode()).hexdigest()
    assert cards.folder_sha256(rec) == expected
    card_file(
        f"""
        [[dataset]]
        name = "test.rec"
        format = "audio_folder"
        subdir = "speech"
        file = "rec"
        sha256 = "{expected}"
        pattern = "{{label}}_{{speaker}}_{{take}}.wav"
        group = "speaker"
        n_samples = 4
        """
    )
    ds = DATASETS.get("test.rec").obj()
    assert ds.n_groups == 2 and ds.meta["sha256"] == expected
    assert cards.availability(DATASETS.get("test.rec")) == "yes"
    # the card's default pipeline for recordings: mfcc (in the spec, so in the key)
    exp = parse_config({"grid": {"datasets": ["test.rec"], "strategies": ["random"]}})
    assert exp.datasets[0].extra["features"].name == "mfcc"
    (rec / "1_b_0.wav").write_bytes((rec / "1_b_0.wav").read_bytes()[:-2])
    cards._cache.clear()
    with pytest.raises(AlbenchInputError, match=r"checksum mismatch for folder '.*speech/rec'"):
        DATASETS.get("test.rec").obj()
    (rec / "1_b_0.wav").unlink()
    (rec / "0_b_0.wav").unlink()
    for p in rec.iterdir():
        p.unlink()
    rec.rmdir()
    with pytest.raises(AlbenchInputError, match=r"dataset 'test.rec': folder 'rec' not found"):
        DATASETS.get("test.rec").obj()


def test_card_names_a_default_pipeline_and_a_config_overrides_it(data_dir, card_file):
    card_file(_parts_card(_parts(data_dir), extra='features = { name = "tokens", max_len = 8 }'))
    exp = parse_config(
        {
            "grid": {
                "datasets": ["test.pub", {"name": "test.pub", "features": "tfidf"}],
                "strategies": ["random"],
            }
        }
    )
    first, second = exp.datasets
    assert first.extra["features"].name == "tokens" and first.extra["features"].resolved["max_len"] == 8
    assert first.label == "test.pub" and second.label == "test.pub[tfidf]"
