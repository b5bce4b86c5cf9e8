# Copyright (c) mmsolotrack contributors. All rights reserved.
from typing import Dict, List, Optional, Union

from mmdet.models.dense_heads import SOLOV2Head
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from .embed_head_mixin import DEFAULT_EMBED_LOSSES, EmbedHeadMixin


@MODELS.register_module()
class SOLOV2EmbedHead(EmbedHeadMixin, SOLOV2Head):
    """mmdet's SOLOv2 head plus an instance embedding branch.

    ``forward`` returns SOLOv2's outputs followed by the embeddings,
    ``loss_by_feat`` adds the embedding losses to SOLO's focal and dice
    losses, ``predict_by_feat`` adds mask-pooled ``embeddings`` and boxes
    computed from the masks to every prediction.

    Args:
        embed_dims (int): D. Defaults to 128.
        embed_grid (int | str): G, the embedding grid side at every level
            (the paper: 40), or ``'num_grids'`` to follow SOLO's S_l.
        embed_stacked_convs (int, optional): Convs of the branch. Defaults
            to ``stacked_convs``.
        max_samples_per_instance (int): M, cells sampled per instance for
            the losses. Defaults to 16.
        embed_cells (str): the cells an instance's embedding is learned and
            pooled from: ``'center'``, SOLO's center region (at most 3 x 3
            cells around the center of mass), or ``'mask'``, every cell
            whose center lies inside the mask. Defaults to 'center'.
        loss_instance (dict, optional): L_ins config (None disables it).
        loss_center (dict, optional): L_cc config.
        loss_entropy (dict, optional): L_ent config.
        *args, **kwargs: As for :class:`mmdet.models.SOLOV2Head`.
    """

    def __init__(self,
                 *args,
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
                     'loss_entropy'],
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._init_embed(
            embed_dims=embed_dims,
            embed_grid=embed_grid,
            embed_stacked_convs=embed_stacked_convs,
            max_samples_per_instance=max_samples_per_instance,
            embed_cells=embed_cells,
            loss_instance=loss_instance,
            loss_center=loss_center,
            loss_entropy=loss_entropy)

    def forward(self, x) -> tuple:
        """SOLOv2's (kernel preds, cls preds, mask feats) + L embeddings."""
        return (*super().forward(x), self.forward_embed(x))

    def loss_by_feat(self, mlvl_kernel_preds: List[Tensor],
                     mlvl_cls_preds: List[Tensor], mask_feats: Tensor,
                     mlvl_embeds: List[Tensor],
                     batch_gt_instances: List[InstanceData],
                     batch_img_metas: List[dict], **kwargs) -> Dict[str, Tensor]:
        losses = super().loss_by_feat(
            mlvl_kernel_preds,
            mlvl_cls_preds,
            mask_feats,
            batch_gt_instances=batch_gt_instances,
            batch_img_metas=batch_img_metas,
            **kwargs)
        losses.update(
            self.loss_embed(mlvl_embeds, batch_gt_instances, batch_img_metas))
        return losses

    def predict_by_feat(self, mlvl_kernel_preds: List[Tensor],
                        mlvl_cls_scores: List[Tensor], mask_feats: Tensor,
                        mlvl_embeds: List[Tensor], batch_img_metas: List[dict],
                        **kwargs) -> List[InstanceData]:
        results = super().predict_by_feat(
            mlvl_kernel_preds,
            list(mlvl_cls_scores),
            mask_feats,
            batch_img_metas=batch_img_metas,
            **kwargs)
        return self.add_embeddings(results, mlvl_embeds, batch_img_metas)
