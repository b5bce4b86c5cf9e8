# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Boxes and row pixel counts of binary masks, without a Python loop over
the masks.

Shape shorthand: N masks of size H x W.

:func:`mask_boxes` equals mmdet's ``mask2bbox`` (xyxy, right/bottom
exclusive, zeros for an empty mask), which loops over the masks and uses
``bool.any``: on CPU in torch 2.13 a ``uint8`` max is about 50x faster than
``bool.any`` over the same pixels, and sums of ``uint8`` are as slow, so
row counts add the bytes of a row eight at a time as ``int64`` words.
"""
import torch
from torch import Tensor

#: Words summed at once: each byte lane of the sum stays <= 127, so no
#: carry crosses lanes and the int64 sum stays positive.
_WORDS_PER_SUM = 127


def _bytes(masks: Tensor) -> Tensor:
    """(N, H, W) uint8 view (or copy) of bool / {0, 1} masks."""
    if masks.dim() != 3:
        raise ValueError(f'masks must be (N, H, W), got {tuple(masks.shape)}')
    if masks.dtype != torch.bool:
        masks = masks != 0
    return masks.contiguous().view(torch.uint8)


def _words(as_bytes: Tensor):
    """(N, H, W / 8) int64 words of (N, H, W) uint8, or None when W is not
    a multiple of 8 or the data are not 8-byte aligned."""
    n, h, w = as_bytes.shape
    if w % 8 or as_bytes.storage_offset() % 8 or as_bytes.numel() == 0:
        return None
    return as_bytes.view(n, h, w // 8, 8).view(torch.int64).view(n, h, w // 8)


def _sum_byte_lanes(words: Tensor) -> Tensor:
    """Sum of the 8 byte lanes of each non-negative int64 word."""
    low8, low16 = 0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF
    words = (words & low8) + ((words >> 8) & low8)
    words = (words & low16) + ((words >> 16) & low16)
    return (words & 0xFFFFFFFF) + (words >> 32)


def mask_row_counts(masks: Tensor) -> Tensor:
    """Pixels per mask row.

    Args:
        masks (Tensor): (N, H, W) bool (or {0, 1}) masks.

    Returns:
        Tensor: (N, H) int64 counts; ``.sum(1)`` is the mask area.
    """
    as_bytes = _bytes(masks)
    words = _words(as_bytes)
    if words is None:
        return as_bytes.sum(2, dtype=torch.int64)
    counts = torch.zeros(words.shape[:2],
                         dtype=torch.int64,
                         device=words.device)
    for start in range(0, words.shape[2], _WORDS_PER_SUM):
        counts += _sum_byte_lanes(words[:, :,
                                        start:start + _WORDS_PER_SUM].sum(2))
    return counts


def mask_column_occupancy(masks: Tensor) -> Tensor:
    """(N, W) uint8: 1 where a column of (N, H, W) masks holds a pixel."""
    as_bytes = _bytes(masks)
    if as_bytes.shape[1] == 0:
        return as_bytes.new_zeros((len(as_bytes), as_bytes.shape[2]))
    return as_bytes.amax(1)


def _row_occupancy(masks: Tensor) -> Tensor:
    """(N, H) uint8: 1 where a row of (N, H, W) masks holds a pixel."""
    as_bytes = _bytes(masks)
    words = _words(as_bytes)
    if words is not None:
        # a bool byte is 0/1, so a word is > 0 exactly when a byte is set
        return (words.amax(2) > 0).to(torch.uint8)
    if as_bytes.shape[2] == 0:
        return as_bytes.new_zeros(as_bytes.shape[:2])
    return as_bytes.amax(2)


def _first_last(occupied: Tensor) -> Tensor:
    """(N, 2) long: first and one-past-last occupied index per row of an
    (N, L) 0/1 tensor; (0, 0) where none is."""
    n, length = occupied.shape
    if length == 0:
        return torch.zeros((n, 2), dtype=torch.long, device=occupied.device)
    occupied = occupied.to(torch.uint8)
    # argmax returns the first maximal index
    first = occupied.argmax(1)
    last = length - occupied.flip(1).argmax(1)
    empty = occupied.amax(1) == 0
    return torch.stack([first, last], dim=1).masked_fill(empty[:, None], 0)


def boxes_from_occupancy(columns: Tensor, rows: Tensor) -> Tensor:
    """(N, 4) float32 xyxy boxes (x1, y1 exclusive) of masks with column
    occupancy ``columns`` (N, W) and row occupancy ``rows`` (N, H) (any
    0 / positive tensors, e.g. row counts); (0, 0, 0, 0) when empty."""
    xs = _first_last(columns > 0)  # (N, 2)
    ys = _first_last(rows > 0)  # (N, 2)
    return torch.stack([xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], dim=1).float()


def mask_boxes(masks: Tensor) -> Tensor:
    """Tight boxes of binary masks.

    Args:
        masks (Tensor): (N, H, W) bool (or {0, 1} uint8) masks.

    Returns:
        Tensor: (N, 4) float32 boxes (x0, y0, x1, y1), x1 and y1 exclusive,
        as mmdet's ``mask2bbox``; an empty mask gives (0, 0, 0, 0).
    """
    return boxes_from_occupancy(mask_column_occupancy(masks),
                                _row_occupancy(masks))
