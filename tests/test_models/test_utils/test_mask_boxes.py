# Copyright (c) mmsolotrack contributors. All rights reserved.
"""mask_boxes equals mmdet's mask2bbox (a Python loop over the masks)."""
import pytest
import torch
from mmdet.structures.mask import mask2bbox

from mmsolotrack.models.utils.mask_boxes import mask_boxes, mask_row_counts


@pytest.mark.parametrize('shape', [(30, 37, 51), (40, 16, 64), (5, 1, 8),
                                   (6, 9, 1), (0, 8, 8), (3, 0, 8)])
@pytest.mark.parametrize('density', [0.002, 0.05, 0.9])
def test_mask_boxes_equals_mask2bbox(shape, density):
    g = torch.Generator().manual_seed(sum(shape))
    masks = torch.rand(*shape, generator=g) < density
    if len(masks) > 3 and masks.numel():
        masks[1] = False  # empty: (0, 0, 0, 0)
        masks[2] = True  # full frame
        masks[3] = False
        masks[3, -1, -1] = True  # one pixel in the last corner
    boxes = mask_boxes(masks)
    assert boxes.dtype == torch.float32 and boxes.shape == (len(masks), 4)
    assert torch.equal(boxes, mask2bbox(masks))
    assert torch.equal(mask_boxes(masks.to(torch.uint8)), boxes)


def test_mask_boxes_rectangles():
    masks = torch.zeros(2, 10, 16, dtype=torch.bool)
    masks[0, 2:5, 3:11] = True
    masks[1, 9, 15] = True
    assert mask_boxes(masks).tolist() == [[3, 2, 11, 5], [15, 9, 16, 10]]
    with pytest.raises(ValueError, match=r'\(N, H, W\)'):
        mask_boxes(masks[0])


@pytest.mark.parametrize('width', [8, 64, 1016, 1024, 2048, 13])
def test_mask_row_counts_equals_sum(width):
    g = torch.Generator().manual_seed(width)
    masks = torch.rand(4, 3, width, generator=g) < 0.5
    masks[0] = True  # every byte lane of every word full
    masks[1] = False
    want = masks.sum(2)
    assert torch.equal(mask_row_counts(masks), want)
    # an unaligned view (offset not a multiple of 8 bytes) still counts
    flat = torch.zeros(1 + 4 * 3 * width, dtype=torch.bool)
    view = flat[1:].view(4, 3, width)
    view.copy_(masks)
    assert torch.equal(mask_row_counts(view), want)
    assert torch.equal(mask_row_counts(masks[:, :0]), want[:, :0])
