"""Where a network runs: ``device = "auto" | "cpu" | "cuda" | "cuda:N"``."""

from __future__ import annotations

import torch

from albench.errors import AlbenchInputError

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(device: str, field: str = "model.device") -> str:
    """The concrete device a network will use: ``"cpu"`` or ``"cuda"`` / ``"cuda:N"``.

    ``"auto"`` is a GPU when one exists, else the CPU. The resolved name, not ``"auto"``,
    enters the cell key, so rows computed on a GPU never mix with CPU rows.

    Raises
    ------
    AlbenchInputError
        For an unknown name, or a GPU asked for on a machine without one.
    """
    if not isinstance(device, str) or not (device in DEVICES or device.startswith("cuda:")):
        raise AlbenchInputError(f"{field} = {device!r}: must be one of 'auto', 'cpu', 'cuda' or 'cuda:N'")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise AlbenchInputError(
                f"{field} = {device!r}: no CUDA device is available on this machine "
                f"(torch {torch.__version__}); use device = 'cpu' or 'auto'"
            )
        if ":" in device:
            index = device.split(":", 1)[1]
            if not index.isdigit() or int(index) >= torch.cuda.device_count():
                raise AlbenchInputError(
                    f"{field} = {device!r}: this machine has {torch.cuda.device_count()} CUDA device(s)"
                )
    return device
