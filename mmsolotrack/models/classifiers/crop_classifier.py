# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A classifier that names each instance from a crop of the image and of
its mask.

SOLO's category branch scores a grid cell from FPN features resized to the
grid; trained from scratch on a CPU budget it learns where objects are but
hardly what they are (on SynthVIS its top-1 accuracy at ground-truth centre
cells stays near a constant guess). This head looks at each instance
directly: the image inside its (expanded) box and the mask itself, resampled
to S x S, through a small CNN. It is trained on the ground-truth instances
of the labelled still images (image labels only, never identities) and, at
inference, relabels the segmenter's masks.

Shape shorthand: B images, N instances, C classes, S crop side, H x W input.
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from ..utils.mask_boxes import mask_boxes
from .crop_sampling import crop_boxes, expand_boxes, jitter_boxes


@MODELS.register_module()
class CropClassifier(BaseModule):
    """Instance classifier on (image, mask) crops.

    Args:
        num_classes (int): C.
        crop_size (int): S. Defaults to 32.
        channels (Sequence[int]): Output channels of the conv stages; each
            stage is a 3x3 conv, ReLU and 2x2 max pooling. Defaults to
            (32, 64, 64).
        hidden_dims (int): Width of the hidden fully-connected layer on the
            flattened last stage (positions matter for a silhouette, so no
            global pooling). Defaults to 128.
        num_views (int): Training-time views of every ground-truth instance
            per batch (each with its own box jitter and mask coarsening).
            Defaults to 2.
        box_expand (float): Crops cover the mask's box scaled by this, so
            the silhouette's outline is inside. Defaults to 1.25.
        box_jitter (float): Training-time box jitter (fraction of the side).
            Defaults to 0.05.
        coarse_mask_prob (float): Training-time probability that the
            ground-truth mask is replaced by a stride-4 copy of itself (as
            blurry as SOLO's predicted masks). Defaults to 0 (on SynthVIS
            it slowed learning more than it helped).
        loss_cls (dict): Classification loss. Defaults to cross-entropy.
        norm_cfg (dict, optional): Normalisation of the convs. Defaults to
            None (none: it trained faster than GN on SynthVIS crops).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 crop_size: int = 32,
                 channels: Sequence[int] = (32, 64, 64),
                 hidden_dims: int = 128,
                 num_views: int = 2,
                 box_expand: float = 1.25,
                 box_jitter: float = 0.05,
                 coarse_mask_prob: float = 0.0,
                 loss_cls: dict = dict(
                     type='mmdet.CrossEntropyLoss', loss_weight=1.0),
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        side = crop_size // 2**len(channels)
        if num_classes < 1 or side < 1 or crop_size % 2**len(channels):
            raise ValueError(
                'CropClassifier: num_classes must be >= 1 and crop_size a '
                f'multiple of 2^len(channels) = {2**len(channels)}, got '
                f'{num_classes}, {crop_size}')
        if num_views < 1:
            raise ValueError(f'CropClassifier: num_views must be >= 1, got '
                             f'{num_views}')
        self.num_classes = num_classes
        self.crop_size = crop_size
        self.box_expand = box_expand
        self.box_jitter = box_jitter
        self.coarse_mask_prob = coarse_mask_prob
        self.num_views = num_views
        layers = []
        in_ch = 4  # image (3) + mask (1)
        for out_ch in channels:
            layers += [
                ConvModule(in_ch, out_ch, 3, padding=1, norm_cfg=norm_cfg),
                nn.MaxPool2d(2)
            ]
            in_ch = out_ch
        self.convs = nn.Sequential(*layers)
        self.fc = nn.Sequential(
            nn.Flatten(), nn.Linear(in_ch * side * side, hidden_dims),
            nn.ReLU(inplace=True), nn.Linear(hidden_dims, num_classes))
        self.loss_cls = MODELS.build(loss_cls)

    def forward(self, crops: Tensor) -> Tensor:
        """(N, 4, S, S) crops -> (N, C) class logits."""
        return self.fc(self.convs(crops))

    def make_crops(self, images: Tensor, masks: Tensor, boxes: Tensor,
                   image_index: Tensor, scale=(1.0, 1.0)) -> Tensor:
        """Image and mask crops of N instances.

        Args:
            images (Tensor): (B, 3, H, W) normalised network input.
            masks (Tensor): (N, h, w) masks (bool or float).
            boxes (Tensor): (N, 4) xyxy boxes in mask pixels (already
                expanded / jittered).
            image_index (Tensor): (N, ) the image of each instance.
            scale (tuple[float, float]): (sy, sx) from mask pixels to input
                pixels.

        Returns:
            Tensor: (N, 4, S, S).
        """
        img_boxes = boxes * boxes.new_tensor(
            [scale[1], scale[0], scale[1], scale[0]])
        img_crops = crop_boxes(images, img_boxes, image_index, self.crop_size)
        mask_crops = crop_boxes(masks[:, None].to(images.dtype), boxes,
                                torch.arange(len(masks), device=masks.device),
                                self.crop_size)
        return torch.cat([img_crops, mask_crops * 2 - 1], dim=1)

    def loss(self, images: Tensor,
             batch_gt_instances: List[InstanceData]) -> Dict[str, Tensor]:
        """Classification loss on the ground-truth instances of a batch.

        Args:
            images (Tensor): (B, 3, H, W) normalised input.
            batch_gt_instances (list[InstanceData]): per image ``masks``
                (padded to the input, BitmapMasks or tensor) and ``labels``.

        Returns:
            dict[str, Tensor]: ``loss_crop_cls`` (0 with the graph kept when
            the batch has no instance) and ``acc_crop_cls`` (no gradient).
        """
        masks, labels, index = [], [], []
        for i, gt in enumerate(batch_gt_instances):
            if len(gt) == 0:
                continue
            m = gt.masks
            if hasattr(m, 'to_tensor'):
                m = m.to_tensor(torch.bool, images.device)
            masks.append(m.bool())
            labels.append(gt.labels)
            index.append(torch.full((len(gt), ), i, dtype=torch.long))
        if not masks:
            zero = sum(p.sum() for p in self.parameters()) * 0
            return dict(loss_crop_cls=zero,
                        acc_crop_cls=images.new_tensor(0.0))
        masks = torch.cat(masks).repeat(self.num_views, 1, 1)
        labels = torch.cat(labels).to(images.device).repeat(self.num_views)
        index = torch.cat(index).repeat(self.num_views)
        keep = masks.flatten(1).any(1)  # instances with visible pixels
        masks = masks.float()
        if self.coarse_mask_prob > 0:
            coarse = F.interpolate(
                F.avg_pool2d(masks[:, None], 4, ceil_mode=True),
                size=masks.shape[-2:],
                mode='bilinear',
                align_corners=False)[:, 0] >= 0.5
            pick = (torch.rand(len(masks), device=masks.device) <
                    self.coarse_mask_prob) & coarse.flatten(1).any(1)
            masks[pick] = coarse[pick].float()
        boxes = jitter_boxes(
            expand_boxes(mask_boxes(masks > 0.5), self.box_expand),
            self.box_jitter)
        crops = self.make_crops(images, masks, boxes, index)
        logits = self(crops)
        loss = self.loss_cls(logits[keep], labels[keep]) if keep.any() \
            else logits.sum() * 0
        with torch.no_grad():
            acc = (logits[keep].argmax(1) == labels[keep]).float().mean() \
                if keep.any() else images.new_tensor(0.0)
        return dict(loss_crop_cls=loss, acc_crop_cls=acc)

    @torch.no_grad()
    def predict(self, images: Tensor, masks: Tensor, image_index: Tensor,
                scale=(1.0, 1.0)) -> Tensor:
        """Class probabilities of predicted masks.

        Args:
            images (Tensor): (B, 3, H, W) normalised input.
            masks (Tensor): (N, h, w) bool predicted masks.
            image_index (Tensor): (N, ) the image of each mask.
            scale (tuple[float, float]): (sy, sx) from mask pixels to input
                pixels (``img_shape / mask shape``).

        Returns:
            Tensor: (N, C) softmax probabilities.
        """
        if len(masks) == 0:
            return images.new_zeros((0, self.num_classes))
        # mmdet's mask2bbox loops over the masks (0.4 ms each at 160 x 256)
        boxes = expand_boxes(mask_boxes(masks.bool()), self.box_expand)
        crops = self.make_crops(images, masks, boxes.to(images.device),
                                image_index, scale)
        return self(crops).softmax(dim=1)
