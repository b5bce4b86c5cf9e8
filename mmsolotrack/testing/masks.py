# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Hand-made masks and their YouTube-VIS json encoding, for tests whose
answers are known by construction.

The encoding is written without pycocotools, so that a test of code that
uses pycocotools checks it against an independent reference.
"""
import numpy as np

__all__ = ['box_mask', 'uncompressed_rle']


def box_mask(height: int, width: int, x0: int, y0: int, x1: int,
             y1: int) -> np.ndarray:
    """(height, width) bool mask, True on rows y0:y1 and columns x0:x1."""
    mask = np.zeros((height, width), dtype=bool)
    mask[y0:y1, x0:x1] = True
    return mask


def uncompressed_rle(mask: np.ndarray) -> dict:
    """A (H, W) mask as the YouTube-VIS json stores it uncompressed:
    column-major run lengths, starting with a (possibly empty) run of
    zeros, and ``size`` [H, W]."""
    flat = np.asarray(mask).flatten(order='F').astype(bool)
    bounds = np.concatenate([[0],
                             np.flatnonzero(np.diff(flat)) + 1, [flat.size]])
    counts = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        counts = [0] + counts
    return dict(counts=counts, size=[int(s) for s in np.shape(mask)])
