"""Timing reports of the scoring kernels (``albench bench``)."""

from albench.bench.cases import FULL_SIZES, KERNEL_CASES, QUICK_SIZES, KernelCase

__all__ = ["FULL_SIZES", "KERNEL_CASES", "QUICK_SIZES", "KernelCase"]
