"""Audio loader: WAV folders labelled by file-name pattern or subfolder, groups, bad recordings."""

from __future__ import annotations

import sys
import wave

import numpy as np
import pytest

from albench.datasets.audio import read_wav
from albench.datasets.cards import load_file
from albench.errors import AlbenchInputError


def _wav(path, samples, rate=8000, width=2):
    path.parent.mkdir(parents=True, exist_ok=True)
    scale = 2 ** (8 * width - 1) - 1
    ints = np.round(np.asarray(samples) * scale).astype({1: np.int8, 2: "<i2", 4: "<i4"}[width])
    data = (ints.astype(np.int16) + 128).astype(np.uint8).tobytes() if width == 1 else ints.tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(data)


@pytest.fixture
def fsdd_like(data_dir):
    root = data_dir / "recordings"
    for digit in (0, 1):
        for speaker in ("ann", "bob", "cy"):
            for take in (0, 1):
                _wav(root / f"{digit}_{speaker}_{take}.wav", np.full(40 + take, 0.25 * (digit + 1)))
    return root


def test_pattern_gives_labels_and_groups(fsdd_like):
    ds = load_file(
        "recordings", format="audio_folder", pattern="{label}_{speaker}_{take}.wav", group="speaker"
    )
    assert ds.modality == "audio" and ds.n_samples == 12 and ds.meta["sample_rate"] == 8000
    assert sorted(set(ds.groups.tolist())) == ["ann", "bob", "cy"]
    assert ds.n_groups == 3
    i = ds.meta["files"].index("1_bob_1.wav")
    assert ds.groups[i] == "bob" and ds.classes[ds.y[i]] == "1"
    assert ds.raw[i].dtype == np.float32 and ds.raw[i].shape == (41,)
    np.testing.assert_allclose(ds.raw[i], 0.5, atol=1e-4)


def test_subfolder_labels_and_empty_class_folder(data_dir):
    root = data_dir / "rec"
    _wav(root / "yes" / "a.wav", np.zeros(10))
    _wav(root / "no" / "b.wav", np.zeros(10))
    ds = load_file("rec", format="audio_folder")
    assert ds.classes[ds.y].tolist() == ["no", "yes"] and ds.groups is None
    (root / "maybe").mkdir()
    with pytest.raises(AlbenchInputError, match=r"rec/maybe: empty class folder"):
        load_file("rec", format="audio_folder")


def test_not_pcm_is_an_error_naming_the_file_or_a_counted_skip(fsdd_like):
    import soundfile as sf

    sf.write(fsdd_like / "1_cy_9.wav", np.zeros(30, dtype=np.float32), 8000, subtype="FLOAT")
    kw = {"format": "audio_folder", "pattern": "{label}_{speaker}_{take}.wav", "group": "speaker"}
    with pytest.raises(AlbenchInputError, match=r"1_cy_9.wav: WAV with FLOAT samples; expected PCM WAV"):
        load_file("recordings", **kw)
    with pytest.warns(UserWarning, match="skipped 1 bad file"):
        ds = load_file("recordings", on_bad_file="skip", **kw)
    assert ds.n_samples == 12 and ds.meta["skipped_files"] == ["1_cy_9.wav"]


def test_file_name_not_matching_the_pattern(fsdd_like):
    _wav(fsdd_like / "readme-take.wav", np.zeros(5))
    with pytest.raises(AlbenchInputError, match=r"readme-take.wav: file name does not match pattern"):
        load_file("recordings", format="audio_folder", pattern="{label}_{speaker}_{take}.wav")


def test_mixed_sample_rates_are_refused(fsdd_like):
    _wav(fsdd_like / "0_dan_0.wav", np.zeros(5), rate=16000)
    with pytest.raises(AlbenchInputError, match=r"sample rate 16000 Hz, but .* has 8000 Hz"):
        load_file("recordings", format="audio_folder", pattern="{label}_{speaker}_{take}.wav")


def test_group_must_be_a_pattern_field(fsdd_like):
    with pytest.raises(AlbenchInputError, match=r"group = 'room': must be a field of the pattern"):
        load_file("recordings", format="audio_folder", pattern="{label}_{speaker}_{take}.wav", group="room")


@pytest.mark.parametrize("width", [1, 2, 4])
def test_standard_library_reader_matches_soundfile(tmp_path, monkeypatch, width):
    signal = np.sin(np.linspace(0, 6, 50)) * 0.8
    _wav(tmp_path / "a.wav", signal, width=width)
    with_sf, rate = read_wav(tmp_path / "a.wav")
    monkeypatch.setitem(sys.modules, "soundfile", None)  # import soundfile now fails
    without, rate2 = read_wav(tmp_path / "a.wav")
    assert rate == rate2 == 8000
    np.testing.assert_allclose(without, with_sf, atol=1.0 / 2 ** (8 * width - 1) + 1e-7)
    np.testing.assert_allclose(without, signal, atol=2.0 / 2 ** (8 * width - 1))
    (tmp_path / "b.wav").write_bytes(b"RIFF....WAVEfmt not really")
    with pytest.raises(AlbenchInputError, match=r"b.wav: not a PCM WAV file"):
        read_wav(tmp_path / "b.wav")
