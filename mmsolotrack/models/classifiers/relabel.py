# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Name a segmenter's masks with an instance classifier."""
import torch
from mmengine.structures import InstanceData
from torch import Tensor, nn

CLS_SCORES = ('geometric', 'product', 'detector')


def relabel_instances(cls_head: nn.Module, image: Tensor, pred: InstanceData,
                      img_meta: dict,
                      cls_score: str = 'geometric') -> InstanceData:
    """Labels (and scores) of one image's predictions from ``cls_head``.

    Args:
        cls_head (nn.Module): e.g. ``CropClassifier``; its ``predict(image,
            masks, batch_idx, scale)`` gives (N, C) class probabilities.
        image (Tensor): (1, C, H, W) the normalised network input.
        pred (InstanceData): ``masks`` (N, h, w), ``scores``, ``labels``;
            changed in place: ``labels`` become the classifier's argmax,
            ``scores`` are fused by ``cls_score``; ``cls_probs`` (N, C),
            ``det_scores`` and ``det_labels`` (the segmenter's own) are
            added.
        img_meta (dict): with ``img_shape``.
        cls_score (str): the fused score of the segmenter's s and the
            classifier's p of the new label: ``'geometric'`` sqrt(s p),
            ``'product'`` s p, ``'detector'`` s.

    Returns:
        InstanceData: ``pred``.
    """
    if 'masks' not in pred:
        return pred
    masks = pred.masks.bool()
    img_h, img_w = img_meta['img_shape'][:2]
    scale = (img_h / masks.shape[-2], img_w / masks.shape[-1])
    probs = cls_head.predict(
        image, masks, masks.new_zeros(len(masks), dtype=torch.long), scale)
    top, labels = probs.max(dim=1) if len(probs) else (
        pred.scores.new_zeros(0), pred.labels.new_zeros(0))
    pred.det_scores = pred.scores
    pred.det_labels = pred.labels
    pred.cls_probs = probs
    pred.labels = labels.to(pred.labels)
    if cls_score == 'geometric':
        pred.scores = (pred.scores * top.to(pred.scores)).sqrt()
    elif cls_score == 'product':
        pred.scores = pred.scores * top.to(pred.scores)
    return pred
