# Copyright (c) mmsolotrack contributors. All rights reserved.
import cv2
import numpy as np
import pytest
import torch
from mmdet.structures.mask import BitmapMasks, mask2bbox
from mmengine.structures import InstanceData

from mmsolotrack.models.classifiers import (CropClassifier, crop_boxes,
                                            expand_boxes, jitter_boxes)


def test_crop_of_a_pixel_aligned_box_is_the_pixels():
    torch.manual_seed(0)
    images = torch.randn(2, 3, 12, 16)
    boxes = torch.tensor([[3., 2., 7., 6.], [8., 5., 16., 9.]])
    crops = crop_boxes(images, boxes, torch.tensor([1, 0]), 4)
    assert crops.shape == (2, 3, 4, 4)
    torch.testing.assert_close(crops[0], images[1, :, 2:6, 3:7])
    # 8 wide -> 4 samples at the centres of pixel pairs: their mean
    pairs = images[0, :, 5:9, 8:16].reshape(3, 4, 4, 2).mean(-1)
    torch.testing.assert_close(crops[1], pairs)


def test_crop_outside_the_image_is_zero():
    images = torch.ones(1, 1, 8, 8)
    crops = crop_boxes(images, torch.tensor([[8., 0., 12., 4.]]),
                       torch.tensor([0]), 4)
    assert float(crops.abs().max()) == 0.0
    assert crop_boxes(images, torch.zeros(0, 4), torch.zeros(0).long(),
                      4).shape == (0, 1, 4, 4)


def test_expand_and_jitter_boxes():
    boxes = torch.tensor([[10., 20., 30., 60.]])
    torch.testing.assert_close(
        expand_boxes(boxes, 1.5), torch.tensor([[5., 10., 35., 70.]]))
    gen = torch.Generator().manual_seed(0)
    moved = jitter_boxes(boxes.repeat(200, 1), 0.1, gen)
    size = moved[:, 2:] - moved[:, :2]
    ctr = (moved[:, :2] + moved[:, 2:]) / 2
    assert bool((size >= boxes[0, 2:] - boxes[0, :2] - 1e-4 - 0.1 *
                 torch.tensor([20., 40.])).all())
    assert bool(((ctr - torch.tensor([20., 40.])).abs() <=
                 0.1 * torch.tensor([20., 40.]) + 1e-4).all())
    assert float(size.std(0).min()) > 0  # it does move
    assert torch.equal(jitter_boxes(boxes, 0.0), boxes)


def _shape_batch(rng, num_images=4, size=48):
    """Images with one filled disc (label 0) or square (label 1) each."""
    images, gts = [], []
    for _ in range(num_images):
        img = rng.normal(0, 0.3, (size, size, 3)).astype(np.float32)
        label = int(rng.integers(2))
        mask = np.zeros((size, size), np.uint8)
        c = rng.integers(14, size - 14, 2)
        r = int(rng.integers(7, 12))
        if label == 0:
            cv2.circle(mask, (int(c[0]), int(c[1])), r, 1, -1)
        else:
            cv2.rectangle(mask, (int(c[0] - r), int(c[1] - r)),
                          (int(c[0] + r), int(c[1] + r)), 1, -1)
        img[mask > 0] += rng.normal(0, 1, 3).astype(np.float32)
        images.append(torch.from_numpy(img).permute(2, 0, 1))
        gts.append(
            InstanceData(
                masks=BitmapMasks(mask[None], size, size),
                labels=torch.tensor([label])))
    return torch.stack(images), gts


def test_learns_shapes_from_masks_and_images():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    head = CropClassifier(num_classes=2, crop_size=32, channels=(16, 32))
    optim = torch.optim.AdamW(head.parameters(), lr=3e-3)
    for _ in range(150):
        images, gts = _shape_batch(rng, 8)
        losses = head.loss(images, gts)
        optim.zero_grad()
        losses['loss_crop_cls'].backward()
        optim.step()
    images, gts = _shape_batch(np.random.default_rng(1), 64)
    masks = torch.cat([g.masks.to_tensor(torch.bool, 'cpu') for g in gts])
    labels = torch.cat([g.labels for g in gts])
    probs = head.predict(images, masks, torch.arange(64))
    assert probs.shape == (64, 2)
    torch.testing.assert_close(probs.sum(1), torch.ones(64))
    assert float((probs.argmax(1) == labels).float().mean()) >= 0.9


def test_loss_without_instances_is_zero_and_keeps_the_graph():
    head = CropClassifier(num_classes=3)
    empty = InstanceData(
        masks=BitmapMasks(np.zeros((0, 32, 32), np.uint8), 32, 32),
        labels=torch.zeros(0, dtype=torch.long))
    losses = head.loss(torch.randn(1, 3, 32, 32), [empty])
    assert float(losses['loss_crop_cls']) == 0.0
    losses['loss_crop_cls'].backward()  # no error: the graph is kept
    assert head.predict(torch.randn(1, 3, 32, 32),
                        torch.zeros(0, 32, 32, dtype=torch.bool),
                        torch.zeros(0).long()).shape == (0, 3)


def test_predict_reads_the_image_at_the_mask_scale():
    """Masks at half the input size: the image crop must follow (sy, sx)."""
    torch.manual_seed(0)
    head = CropClassifier(num_classes=2, crop_size=8)
    image = torch.randn(1, 3, 32, 32)
    mask_full = torch.zeros(1, 32, 32, dtype=torch.bool)
    mask_full[:, 8:24, 8:24] = True
    mask_half = mask_full[:, ::2, ::2]
    full = head.predict(image, mask_full, torch.tensor([0]))
    half = head.predict(image, mask_half, torch.tensor([0]), (2.0, 2.0))
    torch.testing.assert_close(full, half, atol=2e-2, rtol=0)
    wrong = head.predict(image, mask_half, torch.tensor([0]))
    assert not torch.allclose(full, wrong, atol=1e-3)


def test_bad_arguments():
    with pytest.raises(ValueError, match='num_classes'):
        CropClassifier(num_classes=0)


def test_predict_crops_at_the_tight_boxes_of_the_masks():
    """predict equals its definition with mmdet's mask2bbox boxes (it uses
    mask_boxes, equal and without a Python loop), empty masks included."""
    torch.manual_seed(0)
    head = CropClassifier(num_classes=3, crop_size=8)
    head.eval()
    images = torch.randn(2, 3, 40, 64)
    masks = torch.rand(6, 20, 32) < 0.03
    masks[1] = False
    masks[2, 3:9, 10:30] = True
    index = torch.tensor([0, 1, 0, 1, 0, 1])
    boxes = expand_boxes(mask2bbox(masks).float(), head.box_expand)
    with torch.no_grad():
        want = head(head.make_crops(images, masks, boxes, index,
                                    (2.0, 2.0))).softmax(dim=1)
    torch.testing.assert_close(head.predict(images, masks, index, (2.0, 2.0)),
                               want, rtol=0, atol=0)
