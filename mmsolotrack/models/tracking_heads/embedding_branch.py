# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The embedding branch: a third SOLO branch beside category and mask.

Shape shorthand: B images, C input channels, F branch channels, D embedding
dims, G_l grid side of level l, L levels.
"""
from typing import List, Sequence, Union

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmsolotrack.registry import MODELS


@MODELS.register_module()
class EmbeddingBranch(BaseModule):
    """conv3x3 + GN + ReLU stack, then conv3x3 to D channels, L2-normalised.

    Each level's input feature is resized to a G_l x G_l grid first (as
    SOLO's category branch does with its S_l grid); the conv weights are
    shared across levels, like the category branch's.

    Args:
        in_channels (int): C.
        feat_channels (int): F.
        embed_dims (int): D, the embedding dimension. Defaults to 128.
        grids (Sequence[int]): G_l per level (the paper: 40 at every level).
        stacked_convs (int): Number of conv3x3 + norm + ReLU. Defaults to 4.
        norm_cfg (dict): Norm layer config. Defaults to GN with 32 groups.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int,
                 grids: Sequence[int],
                 embed_dims: int = 128,
                 stacked_convs: int = 4,
                 norm_cfg: dict = dict(
                     type='GN', num_groups=32, requires_grad=True),
                 init_cfg: Union[dict, List[dict]] = dict(
                     type='Normal', layer='Conv2d', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.grids = tuple(int(g) for g in grids)
        self.embed_dims = embed_dims
        self.convs = nn.Sequential(*[
            ConvModule(
                in_channels if i == 0 else feat_channels,
                feat_channels,
                3,
                padding=1,
                norm_cfg=norm_cfg,
                bias=norm_cfg is None) for i in range(stacked_convs)
        ])
        self.conv_embed = nn.Conv2d(
            feat_channels if stacked_convs else in_channels,
            embed_dims,
            3,
            padding=1)

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """Embed every level.

        Args:
            feats (Sequence[Tensor]): L tensors (B, C, H_l, W_l).

        Returns:
            list[Tensor]: L tensors (B, D, G_l, G_l), unit norm along D.
        """
        if len(feats) != len(self.grids):
            raise ValueError(f'got {len(feats)} feature levels for '
                             f'{len(self.grids)} grids')
        outs = []
        for feat, grid in zip(feats, self.grids):
            feat = F.interpolate(
                feat, size=grid, mode='bilinear', align_corners=False)
            outs.append(F.normalize(self.conv_embed(self.convs(feat)), dim=1))
        return outs
