# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The embedding head of the pose model: one embedding per prior.

Beside a one-stage pose head (YOLOX-Pose), on the same neck features: every
prior (cell of a level) gets an L2-normalised D-dim embedding. Training
takes the cells the pose head's assigner makes positive for a person
(:class:`~.YOLOXPoseAssignHead`), identities being (image, person) pairs,
and applies the paper's image-level losses (instance contrastive, center
contrastive, max-entropy: ``mmsolotrack.models.losses``). At inference a
predicted person's embedding is the mean of the cells around its box
center (:func:`box_center_pool`), the region SimOTA draws positives from.

Shape shorthand: B images, C input channels, D embedding dims, L levels,
H_l x W_l level size, P = sum_l H_l W_l priors, N sampled cells (training)
or people (inference).
"""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmsolotrack.registry import MODELS
from ..task_modules.embed_sampling import limit_per_identity
from ..tracking_heads.solo_embed_head import DEFAULT_EMBED_LOSSES
from .yoloxpose_assign_head import ASSIGNMENT_FIELD


def flatten_levels(mlvl: Sequence[Tensor]) -> Tensor:
    """L maps (B, D, H_l, W_l) as (B, P, D), in the pose head's prior order
    (level-major, then row-major)."""
    return torch.cat([x.permute(0, 2, 3, 1).flatten(1, 2) for x in mlvl], 1)


def level_priors(sizes: Sequence[Sequence[int]], strides: Sequence[int],
                 offset: float, device: torch.device) -> Tensor:
    """(P, 3) prior centers ``x, y`` (input pixels) and strides, in the
    order of :func:`flatten_levels` (as mmdet's ``MlvlPointGenerator``)."""
    out = []
    for (h, w), s in zip(sizes, strides):
        ys, xs = torch.meshgrid(
            (torch.arange(h, device=device) + offset) * s,
            (torch.arange(w, device=device) + offset) * s,
            indexing='ij')
        out.append(
            torch.stack([xs.flatten(), ys.flatten(),
                         torch.full_like(xs.flatten(), s)], 1))
    return torch.cat(out).float()


def box_center_pool(embeds: Tensor, priors: Tensor, bboxes: Tensor,
                    center_radius: float) -> Tensor:
    """One embedding per box: the mean of the cells inside the box whose
    prior lies within ``center_radius`` strides of the box center (SimOTA's
    center prior), normalised; the nearest cell when none does.

    Args:
        embeds (Tensor): (P, D) unit embeddings of one image.
        priors (Tensor): (P, 3) from :func:`level_priors`.
        bboxes (Tensor): (N, 4) xyxy boxes in input pixels.
        center_radius (float): radius in strides.

    Returns:
        Tensor: (N, D) unit embeddings.
    """
    if len(bboxes) == 0:
        return embeds.new_zeros((0, embeds.shape[1]))
    xy, stride = priors[:, :2], priors[:, 2]  # (P, 2), (P,)
    center = (bboxes[:, :2] + bboxes[:, 2:]) / 2  # (N, 2)
    inside = ((xy[None] >= bboxes[:, None, :2]) &
              (xy[None] <= bboxes[:, None, 2:])).all(-1)  # (N, P)
    near = ((xy[None] - center[:, None]).abs() <=
            center_radius * stride[None, :, None]).all(-1)  # (N, P)
    weight = (inside & near).to(embeds.dtype)  # (N, P)
    nearest = (xy[None] - center[:, None]).norm(dim=-1).argmin(1)  # (N,)
    empty = weight.sum(1) == 0
    weight[empty, nearest[empty]] = 1
    return F.normalize(weight @ embeds / weight.sum(1, keepdim=True), dim=1)


@MODELS.register_module()
class PoseEmbedHead(BaseModule):
    """Per-prior instance embeddings for a one-stage pose head.

    A conv3x3 + norm + activation stack shared by the levels (like the pose
    head's branches), then a conv3x3 to D channels, L2-normalised along D.

    Args:
        in_channels (int): C, the neck's channels.
        feat_channels (int): Channels of the conv stack. Defaults to 128.
        stacked_convs (int): conv3x3 layers. Defaults to 2.
        embed_dims (int): D. Defaults to 128.
        featmap_strides (Sequence[int]): The pose head's strides.
            Defaults to (8, 16, 32).
        prior_offset (float): The pose head's prior offset (mmpose's
            YOLOX-Pose: 0). Defaults to 0.
        center_radius (float): Inference pooling radius in strides
            (SimOTA's ``center_radius``). Defaults to 2.5.
        max_samples_per_instance (int, optional): M, positives kept per
            person for the losses (None: all). Defaults to 16.
        norm_cfg (dict): Norm of the stack. Defaults to GN(32).
        loss_instance (dict, optional): L_ins config (None disables it).
        loss_center (dict, optional): L_cc config.
        loss_entropy (dict, optional): L_ent config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 feat_channels: int = 128,
                 stacked_convs: int = 2,
                 embed_dims: int = 128,
                 featmap_strides: Sequence[int] = (8, 16, 32),
                 prior_offset: float = 0.,
                 center_radius: float = 2.5,
                 max_samples_per_instance: Optional[int] = 16,
                 norm_cfg: dict = dict(
                     type='GN', num_groups=32, requires_grad=True),
                 loss_instance: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_instance'],
                 loss_center: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_center'],
                 loss_entropy: Optional[dict] = DEFAULT_EMBED_LOSSES[
                     'loss_entropy'],
                 init_cfg: Optional[dict] = dict(
                     type='Normal', layer='Conv2d', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        if max_samples_per_instance is not None and \
                max_samples_per_instance < 1:
            raise ValueError('PoseEmbedHead: max_samples_per_instance must '
                             f'be >= 1 or None, got '
                             f'{max_samples_per_instance!r}')
        self.featmap_strides = tuple(featmap_strides)
        self.prior_offset = prior_offset
        self.center_radius = center_radius
        self.max_samples_per_instance = max_samples_per_instance
        self.embed_dims = embed_dims
        self.convs = nn.Sequential(*[
            ConvModule(
                in_channels if i == 0 else feat_channels,
                feat_channels,
                3,
                padding=1,
                norm_cfg=norm_cfg) for i in range(stacked_convs)
        ])
        self.conv_embed = nn.Conv2d(
            feat_channels if stacked_convs else in_channels, embed_dims, 3,
            padding=1)
        self.losses = nn.ModuleDict({
            name: MODELS.build(cfg)
            for name, cfg in dict(
                loss_instance=loss_instance,
                loss_center=loss_center,
                loss_entropy=loss_entropy).items() if cfg is not None
        })

    def forward(self, feats: Sequence[Tensor]) -> List[Tensor]:
        """L maps (B, C, H_l, W_l) -> L unit embedding maps (B, D, H_l,
        W_l)."""
        if len(feats) != len(self.featmap_strides):
            raise ValueError(f'PoseEmbedHead: got {len(feats)} feature '
                             f'levels for {len(self.featmap_strides)} '
                             'featmap_strides')
        return [
            F.normalize(self.conv_embed(self.convs(x)), dim=1) for x in feats
        ]

    def positive_embeddings(self, mlvl_embeds: Sequence[Tensor],
                            data_samples: Sequence) -> tuple:
        """The embeddings of the pose head's positives and their identities.

        Args:
            mlvl_embeds (Sequence[Tensor]): L maps (B, D, H_l, W_l).
            data_samples (Sequence): B samples carrying ``pos_assignment``
                (set by :class:`YOLOXPoseAssignHead` in its ``loss``).

        Returns:
            tuple[Tensor, Tensor]: (N, D) embeddings, (N,) long identities,
            unique per (image, person); at most M rows per identity.
        """
        flat = flatten_levels(mlvl_embeds)  # (B, P, D)
        embeds, ids, offset = [], [], 0
        for img, sample in enumerate(data_samples):
            if ASSIGNMENT_FIELD not in sample:
                raise KeyError(
                    f'PoseEmbedHead: data sample {img} has no '
                    f"'{ASSIGNMENT_FIELD}': the pose head must be a "
                    'YOLOXPoseAssignHead and its loss run first')
            assign = sample.get(ASSIGNMENT_FIELD)
            embeds.append(flat[img][assign.prior_inds.to(flat.device)])
            ids.append(assign.person.to(flat.device) + offset)
            if len(assign.person):
                offset += int(assign.person.max()) + 1
        embeds, ids = torch.cat(embeds), torch.cat(ids)
        keep = limit_per_identity(ids, self.max_samples_per_instance)
        return embeds[keep], ids[keep]

    def loss(self, mlvl_embeds: Sequence[Tensor],
             data_samples: Sequence) -> Dict[str, Tensor]:
        """The weighted image-level embedding losses (exactly 0, graph
        kept, with fewer than 2 people in the batch)."""
        embeds, ids = self.positive_embeddings(mlvl_embeds, data_samples)
        return {
            f'loss_embed_{name[5:]}': loss(embeds, ids)
            for name, loss in self.losses.items()
        }

    def predict(self, mlvl_embeds: Sequence[Tensor],
                batch_bboxes: Sequence[Tensor]) -> List[Tensor]:
        """Embeddings of the predicted people.

        Args:
            mlvl_embeds (Sequence[Tensor]): L maps (B, D, H_l, W_l).
            batch_bboxes (Sequence[Tensor]): B boxes (N_b, 4), xyxy in
                input pixels.

        Returns:
            list[Tensor]: B unit embeddings (N_b, D).
        """
        flat = flatten_levels(mlvl_embeds)  # (B, P, D)
        priors = level_priors([x.shape[2:] for x in mlvl_embeds],
                              self.featmap_strides, self.prior_offset,
                              flat.device)
        return [
            box_center_pool(flat[i], priors,
                            torch.as_tensor(b, device=flat.device).float(),
                            self.center_radius)
            for i, b in enumerate(batch_bboxes)
        ]
