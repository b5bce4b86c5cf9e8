# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The embedding head: the paper's third branch, beside any detector.

It reads the detector's FPN features (computed once by
``detector.extract_feat``), learns from the ground-truth masks by SOLO's
center-region and scale-range rule, and pools an embedding for every mask the
detector predicts.

Shape shorthand: B images, C input channels, D embedding dims, L levels, G_l
grid side of level l, N sampled cells (training) or instances (inference),
K instances of an image, h x w mask size.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import SOLOHead
from mmdet.models.utils import unpack_gt_instances
from mmengine.model import BaseModule
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from ..task_modules.embed_sampling import sample_cell_embeddings
from ..task_modules.embed_targets import instance_cell_map
from ..utils.mask_pool import (center_pool_embeddings, mask_pool_embeddings,
                               masks_to_levels)
from .embedding_branch import EmbeddingBranch

#: mmdet SOLOHead's default scale ranges (sqrt(w h) of a box, in pixels).
SOLO_SCALE_RANGES = ((8, 32), (16, 64), (32, 128), (64, 256), (128, 512))

# scope-prefixed, so that the defaults build whatever the default scope is
DEFAULT_EMBED_LOSSES = dict(
    loss_instance=dict(
        type='mmsolotrack.InstanceContrastiveLoss',
        temperature=0.1,
        loss_weight=1.0),
    loss_center=dict(
        type='mmsolotrack.CenterContrastiveLoss',
        temperature=0.1,
        loss_weight=1.0),
    loss_entropy=dict(
        type='mmsolotrack.MaxEntropyLoss', temperature=0.1, loss_weight=0.5))


@MODELS.register_module()
class SOLOEmbedHead(BaseModule):
    """Instance embeddings on a G x G grid per FPN level (the track head).

    Args:
        in_channels (int): C, the detector's FPN channels.
        feat_channels (int): Channels of the conv stack. Defaults to 256.
        stacked_convs (int): conv3x3 + norm + ReLU layers. Defaults to 4.
        embed_dims (int): D. Defaults to 128.
        embed_grid (int | Sequence[int]): G, the grid side at every level
            (the paper: 40), or one G_l per level (e.g. SOLO's S_l).
        scale_ranges (Sequence[tuple]): L (low, high) ranges of sqrt(w h):
            level l learns from, and pools, the instances whose scale is in
            its range (SOLO's rule; give the detector's ranges for a SOLO
            detector). Defaults to SOLOHead's.
        pos_scale (float): SOLO's center-region scale. Defaults to 0.2.
        resize_feats (bool): Resize the levels as SOLO's heads do (the first
            at half size, the last at the size of the one before) before
            sampling them on the grid, so the branch sees what SOLO's
            category branch sees. Defaults to True.
        max_samples_per_instance (int, optional): M, cells sampled per
            instance for the losses (None: all). Defaults to 16.
        embed_cells (str): The cells an instance's embedding is learned and
            pooled from: ``'center'``, SOLO's center region (at most 3 x 3
            cells around the center of mass), or ``'mask'``, every cell
            whose center lies inside the mask. Defaults to 'center'.
        norm_cfg (dict): Norm of the conv stack. Defaults to GN(32).
        loss_instance (dict, optional): L_ins config (None disables it).
        loss_center (dict, optional): L_cc config.
        loss_entropy (dict, optional): L_ent config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 256,
                 stacked_convs: int = 4,
                 embed_dims: int = 128,
                 embed_grid: Union[int, Sequence[int]] = 40,
                 scale_ranges: Sequence[Tuple[float, float]] = (
                     SOLO_SCALE_RANGES),
                 pos_scale: float = 0.2,
                 resize_feats: bool = True,
                 max_samples_per_instance: Optional[int] = 16,
                 embed_cells: str = 'center',
                 norm_cfg: dict = dict(
                     type='GN', num_groups=32, requires_grad=True),
                 loss_instance: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_instance'],
                 loss_center: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_center'],
                 loss_entropy: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_entropy'],
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.scale_ranges = tuple(tuple(r) for r in scale_ranges)
        num_levels = len(self.scale_ranges)
        if isinstance(embed_grid, int) and embed_grid > 0:
            grids = [embed_grid] * num_levels
        elif isinstance(embed_grid, Sequence) and not isinstance(
                embed_grid, str) and len(embed_grid) == num_levels and all(
                    isinstance(g, int) and g > 0 for g in embed_grid):
            grids = list(embed_grid)
        else:
            raise ValueError(
                'embed_grid must be a positive int or one positive int per '
                f'level ({num_levels} scale_ranges), got {embed_grid!r}')
        if max_samples_per_instance is not None and \
                max_samples_per_instance < 1:
            raise ValueError('max_samples_per_instance must be >= 1 or None')
        if embed_cells not in ('center', 'mask'):
            raise ValueError("embed_cells must be 'center' or 'mask', got "
                             f'{embed_cells!r}')
        self.pos_scale = pos_scale
        self.resize_feats = resize_feats
        self.max_samples_per_instance = max_samples_per_instance
        self.embed_cells = embed_cells
        self.embed_branch = EmbeddingBranch(
            in_channels=in_channels,
            feat_channels=feat_channels,
            grids=grids,
            embed_dims=embed_dims,
            stacked_convs=stacked_convs,
            norm_cfg=norm_cfg)
        self.embed_losses = []
        for name, cfg in (('loss_embed_instance', loss_instance),
                          ('loss_embed_center', loss_center),
                          ('loss_embed_entropy', loss_entropy)):
            if cfg is not None:
                self.add_module(name, MODELS.build(cfg))
                self.embed_losses.append(name)

    @property
    def embed_dims(self) -> int:
        return self.embed_branch.embed_dims

    # ------------------------------------------------------------- forward
    def forward(self, x: Sequence[Tensor]) -> List[Tensor]:
        """(B, C, H_l, W_l) x L -> (B, D, G_l, G_l) x L, unit norm."""
        if len(x) != len(self.scale_ranges):
            raise ValueError(
                f'{type(self).__name__} got {len(x)} feature levels for '
                f'{len(self.scale_ranges)} scale_ranges')
        if self.resize_feats:
            # mmdet's own function; it reads nothing from the head
            x = SOLOHead.resize_feats(self, x)
        return self.embed_branch(x)

    # ------------------------------------------------------------ training
    def get_targets(self, gt_instances: InstanceData,
                    upsampled_size: Tuple[int, int]) -> List[Tensor]:
        """Owner instance of every embedding cell of one image.

        Args:
            gt_instances (InstanceData): ``masks`` (K, H, W) (``BitmapMasks``
                or a tensor, as a detector's loss may leave them; padded to
                ``upsampled_size`` here when smaller) and ``bboxes`` (K, 4).
            upsampled_size (tuple[int, int]): (h, w) the grids span, the
                padded batch input.

        Returns:
            list[Tensor]: L tensors (G_l, G_l), instance index or -1.
        """
        bboxes = gt_instances.bboxes
        masks = gt_instances.masks
        masks = masks.to_tensor(dtype=torch.bool, device=bboxes.device) \
            if hasattr(masks, 'to_tensor') else masks.to(bboxes.device).bool()
        pad_h = upsampled_size[0] - masks.shape[-2]
        pad_w = upsampled_size[1] - masks.shape[-1]
        if pad_h > 0 or pad_w > 0:
            masks = F.pad(masks, (0, max(pad_w, 0), 0, max(pad_h, 0)))
        return instance_cell_map(masks, bboxes, self.scale_ranges,
                                 self.embed_branch.grids, self.pos_scale,
                                 upsampled_size, region=self.embed_cells)

    def loss(self, x: Sequence[Tensor],
             batch_data_samples: list) -> Dict[str, Tensor]:
        """Forward and the image-level embedding losses of a batch.

        Args:
            x (Sequence[Tensor]): L levels (B, C, H_l, W_l).
            batch_data_samples (list[DetDataSample]): B samples with
                ``gt_instances`` (``masks``, ``bboxes``); nothing is
                changed in them.

        Returns:
            dict[str, Tensor]: see :meth:`loss_by_feat`.
        """
        batch_gt_instances, _, batch_img_metas = unpack_gt_instances(
            batch_data_samples)
        return self.loss_by_feat(self(x), batch_gt_instances,
                                 batch_img_metas)

    def loss_by_feat(self, mlvl_embeds: List[Tensor],
                     batch_gt_instances: List[InstanceData],
                     batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """The image-level embedding losses of a batch.

        Args:
            mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
            batch_gt_instances (list[InstanceData]): per image ``masks``
                (padded to ``batch_input_shape``), ``bboxes``.
            batch_img_metas (list[dict]): per image meta information;
                images with the same ``identity_group`` share identities
                (see :func:`sample_cell_embeddings`).

        Returns:
            dict[str, Tensor]: ``loss_embed_instance``,
            ``loss_embed_center``, ``loss_embed_entropy`` (those enabled);
            exactly 0 with the graph kept when there are < 2 identities.
        """
        batch_owners = [
            self.get_targets(gt, tuple(meta['batch_input_shape']))
            for gt, meta in zip(batch_gt_instances, batch_img_metas)
        ]
        groups = [meta.get('identity_group') for meta in batch_img_metas]
        embeds, ids = sample_cell_embeddings(
            mlvl_embeds, batch_owners,
            groups if any(g is not None for g in groups) else None,
            self.max_samples_per_instance)
        keep_graph = sum(e.sum() for e in mlvl_embeds) * 0
        return {
            name: getattr(self, name)(embeds, ids) + keep_graph
            for name in self.embed_losses
        }

    # ----------------------------------------------------------- inference
    def pool_embeddings(self, img_embeds: List[Tensor], masks: Tensor,
                        img_meta: dict) -> Tensor:
        """Pooled embeddings of one image's masks, over the cells the losses
        train (``embed_cells``: center region or whole mask).

        Args:
            img_embeds (list[Tensor]): L tensors (D, G_l, G_l).
            masks (Tensor): (N, h, w) bool; ``h, w`` is ``ori_shape`` or
                ``img_shape`` (the scale is derived from the shapes).
            img_meta (dict): with ``img_shape`` and ``batch_input_shape``.

        Returns:
            Tensor: (N, D) unit-norm embeddings (with the graph).
        """
        img_h, img_w = img_meta['img_shape'][:2]
        scale = (img_h / masks.shape[-2], img_w / masks.shape[-1])
        levels = masks_to_levels(masks, self.scale_ranges, scale)
        pad_shape = tuple(img_meta['batch_input_shape'])
        if self.embed_cells == 'center':
            return center_pool_embeddings(img_embeds, masks, levels,
                                          pad_shape, self.pos_scale, scale)
        return mask_pool_embeddings(img_embeds, masks, levels, pad_shape,
                                    scale)

    def add_embeddings(self, mlvl_embeds: List[Tensor],
                       results_list: List[InstanceData],
                       batch_img_metas: List[dict]) -> List[InstanceData]:
        """Fill ``embeddings`` (N, D) of every image's predicted ``masks``.

        Args:
            mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
            results_list (list[InstanceData]): B results with ``masks``
                (N, h, w), changed in place.
            batch_img_metas (list[dict]): B metas.

        Returns:
            list[InstanceData]: ``results_list``.
        """
        for img, (results, meta) in enumerate(
                zip(results_list, batch_img_metas)):
            results.embeddings = self.pool_embeddings(
                [e[img] for e in mlvl_embeds], results.masks.bool(), meta)
        return results_list

    def predict(self, x: Sequence[Tensor], results_list: List[InstanceData],
                batch_img_metas: List[dict]) -> List[InstanceData]:
        """Forward, then :meth:`add_embeddings` to the detector's results."""
        return self.add_embeddings(self(x), results_list, batch_img_metas)
