# Copyright (c) mmsolotrack contributors. All rights reserved.
from typing import Dict, List, Optional, Union

from mmdet.models.dense_heads import SOLOHead
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from .embed_head_mixin import DEFAULT_EMBED_LOSSES, EmbedHeadMixin


@MODELS.register_module()
class SOLOEmbedHead(EmbedHeadMixin, SOLOHead):
    """mmdet's SOLO (v1) head plus an instance embedding branch.

    Same arguments and outputs as :class:`SOLOV2EmbedHead`, on top of
    :class:`mmdet.models.SOLOHead`.
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
        """SOLO's (mask preds, cls preds) + L embeddings."""
        return (*super().forward(x), self.forward_embed(x))

    def loss_by_feat(self, mlvl_mask_preds: List[Tensor],
                     mlvl_cls_preds: List[Tensor], mlvl_embeds: List[Tensor],
                     batch_gt_instances: List[InstanceData],
                     batch_img_metas: List[dict], **kwargs) -> Dict[str, Tensor]:
        losses = super().loss_by_feat(
            mlvl_mask_preds,
            mlvl_cls_preds,
            batch_gt_instances=batch_gt_instances,
            batch_img_metas=batch_img_metas,
            **kwargs)
        losses.update(
            self.loss_embed(mlvl_embeds, batch_gt_instances, batch_img_metas))
        return losses

    def predict_by_feat(self, mlvl_mask_preds: List[Tensor],
                        mlvl_cls_scores: List[Tensor],
                        mlvl_embeds: List[Tensor], batch_img_metas: List[dict],
                        **kwargs) -> List[InstanceData]:
        results = super().predict_by_feat(
            mlvl_mask_preds,
            list(mlvl_cls_scores),
            batch_img_metas=batch_img_metas,
            **kwargs)
        return self.add_embeddings(results, mlvl_embeds, batch_img_metas)
