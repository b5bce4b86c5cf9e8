# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Second views of still images: geometry and photometry by hand."""
import pytest
import torch

from mmsolotrack.models.task_modules import (RandomViewAugment, affine_view,
                                             relight)

H, W = 64, 96
MEAN = torch.tensor([120., 110., 100.]).view(3, 1, 1)
STD = torch.tensor([60., 55., 50.]).view(3, 1, 1)


def images_and_masks(num=2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    pixels = torch.rand(num, 3, H, W, generator=gen) * 255
    images = (pixels - MEAN) / STD
    masks = torch.zeros(num, 2, H, W, dtype=torch.bool)
    masks[:, 0, 10:20, 30:50] = True
    masks[:, 1, 40:60, 5:15] = True
    return images, list(masks)


def test_identity_view():
    images, masks = images_and_masks()
    views, vmasks = affine_view(images, masks, torch.ones(2),
                                torch.zeros(2, 2))
    torch.testing.assert_close(views, images, atol=1e-4, rtol=0)
    assert all(torch.equal(a, b) for a, b in zip(vmasks, masks))


def test_integer_shift_moves_pixels_and_masks_exactly():
    """Shift (dy, dx) = (8, -16): output (y, x) shows input (y - 8, x + 16);
    pixels from outside the input are 0."""
    images, masks = images_and_masks(num=1)
    views, vmasks = affine_view(images, masks, torch.ones(1),
                                torch.tensor([[8., -16.]]))
    torch.testing.assert_close(views[0, :, 8:, :W - 16],
                               images[0, :, :H - 8, 16:], atol=1e-4, rtol=0)
    assert views[0, :, :8].abs().max() < 1e-4
    assert views[0, :, :, W - 16:].abs().max() < 1e-4
    expected = torch.zeros_like(masks[0])
    expected[:, 8:, :W - 16] = masks[0][:, :H - 8, 16:]
    assert torch.equal(vmasks[0], expected)
    assert vmasks[0][0, 18:28, 14:34].all() and vmasks[0][0].sum() == 200


def test_scale_about_the_center():
    """Scale 2: a 10 x 20 box centred on the image becomes about 20 x 40,
    still centred; a mask pushed out of the image is empty, index kept."""
    images, _ = images_and_masks(num=1)
    mask = torch.zeros(2, H, W, dtype=torch.bool)
    mask[0, 27:37, 38:58] = True  # centre (31.5, 47.5) = image centre
    mask[1, 0:4, 0:4] = True  # a corner: leaves the image at scale 2
    _, vmasks = affine_view(images, [mask], torch.tensor([2.]),
                            torch.zeros(1, 2))
    ys, xs = vmasks[0][0].nonzero(as_tuple=True)
    assert (ys.min().item(), ys.max().item()) == (22, 41)
    assert (xs.min().item(), xs.max().item()) == (28, 67)
    assert vmasks[0].shape == (2, H, W) and not vmasks[0][1].any()


def test_relight_in_pixel_space():
    images = (torch.full((1, 3, 4, 4), 100.) - MEAN) / STD
    out = relight(images, MEAN, STD, torch.tensor([1.2]), torch.tensor([1.]),
                  torch.tensor([[1., 1., 0.5]]))
    pixels = out * STD + MEAN
    torch.testing.assert_close(pixels[0, :, 0, 0],
                               torch.tensor([120., 120., 60.]))
    # contrast about 128, then clipped to [0, 255]
    out = relight(images, MEAN, STD, torch.tensor([1.]), torch.tensor([2.]),
                  torch.ones(1, 3))
    torch.testing.assert_close((out * STD + MEAN)[0, :, 0, 0],
                               torch.full((3, ), 72.))
    bright = relight(images, MEAN, STD, torch.tensor([3.]), torch.tensor([1.]),
                     torch.ones(1, 3))
    torch.testing.assert_close((bright * STD + MEAN)[0, :, 0, 0],
                               torch.full((3, ), 255.))


def test_random_views_are_seeded_and_bounded():
    images, masks = images_and_masks(num=4)
    aug = RandomViewAugment(scale_range=(0.8, 1.25), max_shift=0.1)
    torch.manual_seed(3)
    a, am = aug(images, masks, MEAN, STD)
    torch.manual_seed(3)
    b, bm = aug(images, masks, MEAN, STD)
    torch.testing.assert_close(a, b)
    assert all(torch.equal(x, y) for x, y in zip(am, bm))
    assert not torch.allclose(a, images)
    for m, v in zip(masks, am):
        assert v.shape == m.shape
        # area changes by at most the scale range squared (+ rounding)
        ratio = v.flatten(1).sum(1).float() / m.flatten(1).sum(1)
        assert ((ratio > 0.5) & (ratio < 1.8)).all()
    still = RandomViewAugment(scale_range=(1., 1.), max_shift=0.,
                              brightness=0., contrast=0., channel_gain=0.)
    same, same_masks = still(images, masks, MEAN, STD)
    torch.testing.assert_close(same, images, atol=1e-4, rtol=0)
    assert all(torch.equal(x, y) for x, y in zip(same_masks, masks))


@pytest.mark.parametrize('kwargs', [
    dict(scale_range=(1.2, 0.8)),
    dict(scale_range=(0., 1.)),
    dict(max_shift=1.0),
    dict(brightness=-0.1),
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match='RandomViewAugment'):
        RandomViewAugment(**kwargs)
