# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Per-frame predictions of a crowded video, as the segmenter hands them to
the tracker, for timing the tracker at a chosen number of instances.

Shape shorthand: N instances per frame, H x W frames, D embedding dims.
"""
from typing import List

import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmsolotrack.models.utils.mask_boxes import mask_boxes

#: One instance in this many is a second, shifted segmentation of another
#: object under another label (what SOLO's class-aware matrix NMS keeps).
DUPLICATE_EVERY = 10


def crowded_predictions(num_instances: int,
                        num_frames: int,
                        height: int,
                        width: int,
                        embed_dims: int = 64,
                        num_classes: int = 5,
                        seed: int = 0) -> List[DetDataSample]:
    """A video of ``num_instances`` boxes of 8 to H/4 pixels moving a few
    pixels a frame; every ``DUPLICATE_EVERY``-th is a duplicate.

    Returns:
        list[DetDataSample]: ``num_frames`` frames with ``frame_id`` and
        ``pred_instances``: ``masks`` (N, H, W) bool, ``bboxes`` (N, 4),
        ``scores`` (N,) decreasing, ``labels`` (N,) and unit ``embeddings``
        (N, D) (the object's own direction plus noise).
    """
    gen = torch.Generator().manual_seed(seed)
    n = num_instances
    size = torch.randint(8, max(9, height // 4), (n, 2), generator=gen)
    pos = torch.rand(n, 2, generator=gen) * torch.tensor([height, width
                                                          ]) - size / 2
    step = torch.randn(n, 2, generator=gen) * 2
    identity = F.normalize(torch.randn(n, embed_dims, generator=gen), dim=1)
    labels = torch.randint(0, num_classes, (n, ), generator=gen)
    source = torch.arange(n)
    dup = source % DUPLICATE_EVERY == DUPLICATE_EVERY - 1
    source[dup] -= 1  # a duplicate copies the instance before it
    labels[dup] = (labels[source[dup]] + 1) % num_classes
    scores = torch.linspace(0.95, 0.3, n)
    ys = torch.arange(height)[None, :, None]
    xs = torch.arange(width)[None, None, :]
    frames = []
    for t in range(num_frames):
        top_left = (pos + t * step).round().long()
        top_left[dup] = top_left[source[dup]] + 1
        size_t = size.clone()
        size_t[dup] = size[source[dup]]
        y0, x0 = top_left[:, 0, None, None], top_left[:, 1, None, None]
        masks = ((ys >= y0) & (ys < y0 + size_t[:, 0, None, None]) & (xs >= x0)
                 & (xs < x0 + size_t[:, 1, None, None]))
        embeddings = identity[source] + 0.1 * torch.randn(
            n, embed_dims, generator=gen)
        sample = DetDataSample(metainfo=dict(frame_id=t))
        sample.pred_instances = InstanceData(masks=masks,
                                             bboxes=mask_boxes(masks),
                                             scores=scores.clone(),
                                             labels=labels.clone(),
                                             embeddings=F.normalize(embeddings,
                                                                    dim=1))
        frames.append(sample)
    return frames
