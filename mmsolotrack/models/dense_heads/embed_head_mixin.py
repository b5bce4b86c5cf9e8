# Copyright (c) mmsolotrack contributors. All rights reserved.
"""What every SOLO-family embedding head adds to its mmdet parent.

Shape shorthand: B images, D embedding dims, L levels, G_l grid side, N
sampled cells (training) or kept instances (inference), K instances of an
image.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmdet.structures.mask import mask2bbox
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from ..task_modules.embed_targets import instance_cell_map
from ..utils.mask_pool import (center_pool_embeddings, mask_pool_embeddings,
                               masks_to_levels)
from .embedding_branch import EmbeddingBranch

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


class EmbedHeadMixin:
    """Embedding branch, targets, losses and pooling for a SOLO head.

    The host class is a subclass of mmdet's ``SOLOHead`` (it provides
    ``num_grids``, ``scale_ranges``, ``pos_scale``, ``resize_feats``, ...).
    """

    def _init_embed(self,
                    embed_dims: int = 128,
                    embed_grid: Union[int, str] = 40,
                    embed_stacked_convs: Optional[int] = None,
                    max_samples_per_instance: int = 16,
                    embed_cells: str = 'center',
                    loss_instance: Optional[dict] = DEFAULT_EMBED_LOSSES[
                        'loss_instance'],
                    loss_center: Optional[dict] = DEFAULT_EMBED_LOSSES[
                        'loss_center'],
                    loss_entropy: Optional[dict] = DEFAULT_EMBED_LOSSES[
                        'loss_entropy']) -> None:
        if embed_grid == 'num_grids':
            grids = list(self.num_grids)
        elif isinstance(embed_grid, int) and embed_grid > 0:
            grids = [embed_grid] * self.num_levels
        else:
            raise ValueError("embed_grid must be a positive int or "
                             f"'num_grids', got {embed_grid!r}")
        if max_samples_per_instance is not None and \
                max_samples_per_instance < 1:
            raise ValueError('max_samples_per_instance must be >= 1 or None')
        if embed_cells not in ('center', 'mask'):
            raise ValueError("embed_cells must be 'center' or 'mask', got "
                             f'{embed_cells!r}')
        self.max_samples_per_instance = max_samples_per_instance
        self.embed_cells = embed_cells
        self.embed_branch = EmbeddingBranch(
            in_channels=self.in_channels,
            feat_channels=self.feat_channels,
            grids=grids,
            embed_dims=embed_dims,
            stacked_convs=(self.stacked_convs if embed_stacked_convs is None
                           else embed_stacked_convs),
            norm_cfg=self.norm_cfg)
        self.embed_losses = dict()
        for name, cfg in (('loss_embed_instance', loss_instance),
                          ('loss_embed_center', loss_center),
                          ('loss_embed_entropy', loss_entropy)):
            if cfg is not None:
                self.add_module(name, MODELS.build(cfg))
                self.embed_losses[name] = name

    # ------------------------------------------------------------- forward
    def forward_embed(self, x: Sequence[Tensor]) -> List[Tensor]:
        """(B, C, H_l, W_l) x L -> (B, D, G_l, G_l) x L, unit norm."""
        return self.embed_branch(self.resize_feats(x))

    # ------------------------------------------------------------- targets
    def get_embed_targets(self, gt_instances: InstanceData,
                          upsampled_size: Tuple[int, int]) -> List[Tensor]:
        """Owner instance of every embedding cell of one image.

        Args:
            gt_instances (InstanceData): ``masks`` (padded to the batch
                input) and ``bboxes`` (K, 4).
            upsampled_size (tuple[int, int]): (h, w) the grids span.

        Returns:
            list[Tensor]: L tensors (G_l, G_l), instance index or -1.
        """
        bboxes = gt_instances.bboxes
        device = bboxes.device
        masks = gt_instances.masks.to_tensor(dtype=torch.bool, device=device)
        return instance_cell_map(masks, bboxes, self.scale_ranges,
                                 self.embed_branch.grids, self.pos_scale,
                                 upsampled_size, region=self.embed_cells)

    def sample_embeddings(self, mlvl_embeds: List[Tensor],
                          batch_owners: List[List[Tensor]],
                          groups: Optional[Sequence] = None
                          ) -> Tuple[Tensor, Tensor]:
        """Gather the embeddings of owned cells, at most M per instance.

        Args:
            mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
            batch_owners (list[list[Tensor]]): per image, L owner maps.
            groups (Sequence, optional): per image, its identity group:
                images of one group (views of one image) share identities,
                instance k of one being instance k of the others. None:
                every image is its own group.

        Returns:
            tuple[Tensor, Tensor]: embeddings (N, D) and identities (N, );
            identities never repeat across groups.
        """
        if groups is None:
            groups = list(range(len(batch_owners)))
        sizes: Dict = {}
        for group, owners in zip(groups, batch_owners):
            num_inst = max((int(o.max()) + 1 for o in owners), default=0)
            sizes[group] = max(sizes.get(group, 0), num_inst)
        offsets, total = {}, 0
        for group in dict.fromkeys(groups):  # in order of appearance
            offsets[group] = total
            total += sizes[group]
        embeds, ids = [], []
        for img, owners in enumerate(batch_owners):
            offset = offsets[groups[img]]
            for lvl, owner in enumerate(owners):
                pos = owner >= 0
                if pos.any():
                    embeds.append(mlvl_embeds[lvl][img][:, pos].t())
                    ids.append(owner[pos] + offset)
        dims = mlvl_embeds[0].shape[1]
        if not embeds:
            return mlvl_embeds[0].new_zeros((0, dims)), \
                torch.zeros(0, dtype=torch.long, device=mlvl_embeds[0].device)
        embeds, ids = torch.cat(embeds), torch.cat(ids)
        limit = self.max_samples_per_instance
        if limit is not None and len(ids) > limit:
            # random order inside each identity, keep the first ``limit``
            order = torch.randperm(len(ids), device=ids.device)
            order = order[torch.sort(ids[order], stable=True)[1]]
            _, counts = torch.unique_consecutive(
                ids[order], return_counts=True)
            starts = torch.repeat_interleave(counts.cumsum(0) - counts,
                                             counts)
            rank = torch.arange(len(ids), device=ids.device) - starts
            keep = order[rank < limit]
            embeds, ids = embeds[keep], ids[keep]
        return embeds, ids

    def loss_embed(self, mlvl_embeds: List[Tensor],
                   batch_gt_instances: List[InstanceData],
                   batch_img_metas: List[dict]) -> Dict[str, Tensor]:
        """The image-level embedding losses of a batch.

        Args:
            mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
            batch_gt_instances (list[InstanceData]): per image ``masks``
                (padded to ``batch_input_shape``), ``bboxes``.
            batch_img_metas (list[dict]): per image meta information;
                images with the same ``identity_group`` share identities
                (see :meth:`sample_embeddings`).

        Returns:
            dict[str, Tensor]: ``loss_embed_instance``,
            ``loss_embed_center``, ``loss_embed_entropy`` (those enabled).
        """
        batch_owners = [
            self.get_embed_targets(gt, tuple(meta['batch_input_shape']))
            for gt, meta in zip(batch_gt_instances, batch_img_metas)
        ]
        groups = [meta.get('identity_group') for meta in batch_img_metas]
        embeds, ids = self.sample_embeddings(
            mlvl_embeds, batch_owners,
            groups if any(g is not None for g in groups) else None)
        keep_graph = sum(e.sum() for e in mlvl_embeds) * 0
        return {
            name: getattr(self, name)(embeds, ids) + keep_graph
            for name in self.embed_losses
        }

    # ---------------------------------------------------------- inference
    def pool_embeddings(self, img_embeds: List[Tensor], masks: Tensor,
                        img_meta: dict) -> Tensor:
        """Pooled embeddings of one image's instances, over the cells the
        losses train (``embed_cells``: center region or whole mask).

        Args:
            img_embeds (list[Tensor]): L tensors (D, G_l, G_l).
            masks (Tensor): (N, h, w) bool; ``h, w`` is ``ori_shape`` or
                ``img_shape`` (the scale is derived from the shapes).
            img_meta (dict): with ``img_shape`` and ``batch_input_shape``.

        Returns:
            Tensor: (N, D) unit-norm embeddings.
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

    def add_embeddings(self, results_list: List[InstanceData],
                       mlvl_embeds: List[Tensor],
                       batch_img_metas: List[dict]) -> List[InstanceData]:
        """Fill ``embeddings`` and mask-derived ``bboxes`` of predictions.

        Args:
            results_list (list[InstanceData]): per image ``masks`` (N, h, w).
            mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
            batch_img_metas (list[dict]): per image meta information.

        Returns:
            list[InstanceData]: the same objects, with ``embeddings`` (N, D)
            and ``bboxes`` (N, 4) computed from the masks (SOLO leaves them
            zero).
        """
        for img, (results, meta) in enumerate(
                zip(results_list, batch_img_metas)):
            masks = results.masks = results.masks.bool()  # SOLO's empty
            # results are float
            results.bboxes = mask2bbox(masks).to(results.scores.dtype) \
                if len(masks) else results.scores.new_zeros((0, 4))
            results.embeddings = self.pool_embeddings(
                [e[img] for e in mlvl_embeds], masks, meta)
        return results_list
