"""Audio loader: a folder of PCM WAV recordings, labelled by subfolder or by a file-name pattern.

``pattern = "{label}_{speaker}_{take}.wav"`` (FSDD) reads the label, and any other field, from
each file's name; ``group = "speaker"`` makes that field the row's group (for
``protocol.split = "group"``). Without a pattern the label is the file's subfolder.

WAV files are read with soundfile when it is installed (``albench[audio]``), else with the
standard library's ``wave``; either way only PCM is accepted (8-, 16-, 24- or 32-bit integer
samples), scaled to [-1, 1] float32. Several channels are averaged to one.
"""

from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np

from albench.errors import AlbenchInputError

AUDIO_SUFFIXES = (".wav",)


def compile_pattern(pattern: str, where: str) -> re.Pattern:
    """A regular expression matching a whole file name against ``{field}`` placeholders."""
    fields = re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", pattern)
    if not fields or len(set(fields)) != len(fields):
        raise AlbenchInputError(
            f"{where}: pattern = {pattern!r}: needs distinct {{field}} placeholders, "
            "e.g. '{label}_{speaker}_{take}.wav'"
        )
    out, pos = "", 0
    for m in re.finditer(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", pattern):
        out += re.escape(pattern[pos : m.start()]) + f"(?P<{m.group(1)}>.+?)"
        pos = m.end()
    out += re.escape(pattern[pos:])
    return re.compile(out + r"\Z")


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A mono float32 waveform in [-1, 1] and its sample rate.

    Raises
    ------
    AlbenchInputError
        When the file is not a PCM WAV file.
    """
    try:
        import soundfile as sf
    except ImportError:  # the standard library reads plain PCM WAV
        sf = None
    if sf is not None:
        try:
            info = sf.info(str(path))
        except (RuntimeError, OSError) as exc:  # soundfile's LibsndfileError is a RuntimeError
            raise AlbenchInputError(f"{path}: not a readable WAV file ({exc}); expected PCM WAV") from None
        if info.format != "WAV" or not info.subtype.startswith("PCM"):
            raise AlbenchInputError(
                f"{path}: {info.format} with {info.subtype} samples; expected PCM WAV (8-, 16-, 24- or "
                "32-bit "
                "integer samples)"
            )
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
        return np.ascontiguousarray(data.mean(axis=1, dtype=np.float32)), int(rate)
    try:
        with wave.open(str(path), "rb") as w:
            channels, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            frames = w.readframes(n)
    except (wave.Error, EOFError, OSError) as exc:
        raise AlbenchInputError(f"{path}: not a PCM WAV file ({exc}); expected PCM WAV") from None
    if width == 1:
        samples = (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width in (2, 4):
        kind = np.dtype(f"<i{width}")
        samples = np.frombuffer(frames, dtype=kind).astype(np.float32) / float(2 ** (8 * width - 1))
    elif width == 3:
        b = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        samples = v.astype(np.float32) / float(1 << 23)
    else:
        raise AlbenchInputError(f"{path}: {8 * width}-bit samples; expected 8-, 16-, 24- or 32-bit PCM")
    return samples.reshape(-1, channels).mean(axis=1, dtype=np.float32), rate


def read_audio_folder(
    folder: Path,
    *,
    pattern: str | None = None,
    label_field: str = "label",
    group: str | None = None,
    on_bad_file: str = "error",
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, list[str], int, dict]:
    """Every ``*.wav`` under ``folder`` (sorted by relative path), with labels and groups.

    Parameters
    ----------
    pattern : str, optional
        File-name pattern with ``{field}`` placeholders; without it the label is the
        subfolder (``folder/<label>/<file>.wav``) and the files must sit one level down.
    label_field : str
        The pattern field that holds the label.
    group : str, optional
        The pattern field that holds the group (``"speaker"``), or ``"folder"`` for the subfolder.
    on_bad_file : {"error", "skip"}
        A file that is not PCM WAV or does not match the pattern: an input error naming it, or
        skip it (counted in the notes).

    Returns
    -------
    (waveforms as an object array, labels, groups or None, relative file names, sample rate, notes)
    """
    where = str(folder)
    regex = compile_pattern(pattern, where) if pattern else None
    if regex is not None and label_field not in regex.groupindex:
        raise AlbenchInputError(
            f"{where}: label_field = {label_field!r} is not a field of pattern {pattern!r}"
        )
    if group is not None and group != "folder" and (regex is None or group not in regex.groupindex):
        raise AlbenchInputError(
            f"{where}: group = {group!r}: must be a field of the pattern"
            + (f" ({', '.join(regex.groupindex)})" if regex is not None else " (no pattern given)")
            + " or 'folder'"
        )
    if regex is None:
        subs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not subs:
            raise AlbenchInputError(
                f"{where}: no class subfolders; put recordings in {where}/<label>/ or set a file-name pattern"
            )
        for sub in subs:
            if not any(p.suffix.lower() in AUDIO_SUFFIXES for p in sub.iterdir() if p.is_file()):
                raise AlbenchInputError(
                    f"{sub}: empty class folder (no .wav files); remove it or add recordings"
                )
        files = sorted(
            p for sub in subs for p in sub.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
        )
    else:
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        raise AlbenchInputError(f"{where}: no .wav files")
    waves, labels, groups, names, skipped, rates = [], [], [], [], [], {}
    for path in files:
        rel = str(path.relative_to(folder)).replace("\\", "/")
        try:
            if regex is not None:
                m = regex.match(path.name)
                if m is None:
                    raise AlbenchInputError(f"{path}: file name does not match pattern {pattern!r}")
                fields = m.groupdict()
            else:
                fields = {}
            wav, rate = read_wav(path)
            if wav.shape[0] == 0:
                raise AlbenchInputError(f"{path}: no samples (an empty recording)")
        except AlbenchInputError:
            if on_bad_file == "skip":
                skipped.append(rel)
                continue
            raise
        rates.setdefault(rate, rel)
        if len(rates) > 1:
            (r0, f0), (r1, f1) = list(rates.items())[:2]
            raise AlbenchInputError(
                f"{path}: sample rate {r1} Hz, but {f0} has {r0} Hz; every recording needs the same rate"
            )
        waves.append(wav)
        labels.append(fields[label_field] if regex is not None else path.parent.name)
        if group == "folder":
            groups.append(path.parent.name)
        elif group is not None:
            groups.append(fields[group])
        names.append(rel)
    if not waves:
        raise AlbenchInputError(f"{where}: no readable recording")
    raw = np.empty(len(waves), dtype=object)
    raw[:] = waves
    notes: dict = {}
    if skipped:
        notes["skipped_files"] = skipped
        notes["n_skipped"] = len(skipped)
    return (
        raw,
        np.asarray(labels),
        np.asarray(groups) if group is not None else None,
        names,
        next(iter(rates)),
        notes,
    )
