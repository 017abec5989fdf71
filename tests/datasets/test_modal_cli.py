"""From outside: bad image, text and audio files stop `albench run` with exit 2 and write nothing."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from tests.cli_helpers import run_cli


def _config(tmp_path, entry: str, protocol: str = "") -> None:
    (tmp_path / "exp.toml").write_text(
        'name = "modal"\nrepetitions = 1\n'
        f"[protocol]\ninitial_size = 4\nbatch_size = 2\nbudget = 4\n{protocol}\n"
        f'[grid]\ndatasets = [{entry}]\nmodels = ["logistic_regression"]\nstrategies = ["random"]\n',
        encoding="utf-8",
    )


def _run(tmp_path):
    proc = run_cli("run", "exp.toml", "--out", "out", "--data-dir", "data", cwd=tmp_path, timeout=300)
    return proc, (tmp_path / "out").exists()


@pytest.fixture
def data(tmp_path):
    (tmp_path / "data").mkdir()
    return tmp_path / "data"


def test_text_line_without_label(tmp_path, data):
    (data / "t.txt").write_text("0 a b\n1 c d\n" * 6 + "  no label here\n", encoding="utf-8")
    _config(tmp_path, '{ name = "file", path = "t.txt", format = "text_lines" }')
    proc, written = _run(tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "t.txt, line 13: no label at the start of the line" in proc.stderr and not written


def test_unknown_encoding(tmp_path, data):
    (data / "t.txt").write_text("0 a\n1 b\n" * 6, encoding="utf-8")
    _config(tmp_path, '{ name = "file", path = "t.txt", format = "text_lines", encoding = "utf-99" }')
    proc, written = _run(tmp_path)
    assert proc.returncode == 2 and "encoding = 'utf-99': unknown encoding" in proc.stderr and not written


def test_wav_that_is_not_pcm_and_group_split_without_groups(tmp_path, data):
    import soundfile as sf

    rec = data / "rec"
    rec.mkdir()
    for i in range(12):
        with wave.open(str(rec / f"{i % 2}_s{i % 3}_{i}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes((np.sin(np.arange(400) * (i + 1) / 10) * 3000).astype("<i2").tobytes())
    entry = (
        '{ name = "file", path = "rec", format = "audio_folder", pattern = "{label}_{speaker}_{take}.wav" }'
    )
    _config(tmp_path, entry, 'split = "group"')
    proc, written = _run(tmp_path)
    assert (
        proc.returncode == 2 and "protocol.split = 'group'" in proc.stderr and "has no groups" in proc.stderr
    )
    assert not written
    sf.write(rec / "1_s0_99.wav", np.zeros(100, dtype=np.float32), 8000, subtype="FLOAT")
    _config(tmp_path, entry)
    proc, written = _run(tmp_path)
    assert proc.returncode == 2 and "1_s0_99.wav: WAV with FLOAT samples; expected PCM WAV" in proc.stderr
    assert not written


def test_empty_class_folder_of_images(tmp_path, data):
    from PIL import Image

    for cls in ("a", "b"):
        (data / "pics" / cls).mkdir(parents=True)
        for i in range(6):
            Image.fromarray(np.full((3, 3), i * 10, dtype=np.uint8)).save(data / "pics" / cls / f"{i}.png")
    (data / "pics" / "c").mkdir()
    _config(tmp_path, '{ name = "file", path = "pics", format = "image_folder" }')
    proc, written = _run(tmp_path)
    assert proc.returncode == 2 and "pics/c: empty class folder" in proc.stderr and not written
