# Copyright (c) mmsolotrack contributors. All rights reserved.
"""MaskTrack R-CNN's RoI embedding head with a cosine similarity.

mmdet's :class:`~mmdet.models.tracking_heads.RoIEmbedHead` matches a key
RoI to the reference objects by the dot product of ReLU features, with a
constant 0 logit for "a new object". Its features are never negative, so
the "new" logit can only tie, and the logits grow with the feature norms:
trained from scratch on SynthVIS (tiny ResNet-18) the match loss starts
near 10 and the training match accuracy falls from 60-90% in the first 50
iterations to 20-50% by iteration 500, where it stays.

:class:`CosineRoIEmbedHead` only changes the embedding: the last fc layer
is linear (no ReLU) and its output is L2-normalised and scaled by
``temperature ** -0.5``, so the parent's dot product, loss and
``predict_by_feat`` see ``cos(x, ref) / temperature`` in [-1/T, 1/T], and
the dummy logit 0 stands for cosine 0. Everything else (targets, loss,
MaskTrack R-CNN's tracker) is mmdet's.

Shape shorthand:
    N: RoIs of one batch, C, H, W: their RoI features
    D: ``fc_out_channels``
"""
from typing import List, Tuple

import torch.nn.functional as F
from mmdet.models.tracking_heads import RoIEmbedHead
from torch import Tensor

from mmsolotrack.registry import MODELS


@MODELS.register_module()
class CosineRoIEmbedHead(RoIEmbedHead):
    """RoIEmbedHead whose match logits are cosine similarities / T.

    Args:
        temperature (float): T of ``cos / T``; the logits of one RoI lie
            in [-1/T, 1/T]. Defaults to 0.1.
        **kwargs: the arguments of mmdet's ``RoIEmbedHead``; ``num_fcs``
            must be at least 1 (the embedding is the last fc's output).
    """

    def __init__(self, temperature: float = 0.1, **kwargs) -> None:
        super().__init__(**kwargs)
        if not temperature > 0:
            raise ValueError(
                f'temperature must be > 0, got {temperature!r}')
        if self.num_fcs < 1:
            raise ValueError(
                'CosineRoIEmbedHead embeds with its last fc layer: '
                f'num_fcs must be >= 1, got {self.num_fcs}')
        self.temperature = float(temperature)

    def extract_feat(self, x: Tensor,
                     num_x_per_img: List[int]) -> Tuple[Tensor]:
        """Embed RoI features, split per image.

        Args:
            x (Tensor): (N, C, H, W) RoI features.
            num_x_per_img (list[int]): RoIs of each image, summing to N.

        Returns:
            tuple[Tensor]: per image, (N_i, D) embeddings of norm
            ``temperature ** -0.5``.
        """
        for conv in self.convs:
            x = conv(x)
        if self.with_avg_pool:
            x = self.avg_pool(x)
        x = x.flatten(1)
        for fc in self.fcs[:-1]:
            x = self.relu(fc(x))
        x = self.fcs[-1](x)
        x = F.normalize(x, dim=1) * self.temperature**-0.5
        return tuple(x.split(list(num_x_per_img), dim=0))
