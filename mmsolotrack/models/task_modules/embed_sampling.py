# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Gather the embeddings of the cells the targets give an owner.

Shape shorthand: B images, D embedding dims, L levels, G_l grid side of level
l, N sampled cells.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor


def sample_cell_embeddings(mlvl_embeds: List[Tensor],
                           batch_owners: List[List[Tensor]],
                           groups: Optional[Sequence] = None,
                           max_per_instance: Optional[int] = None
                           ) -> Tuple[Tensor, Tensor]:
    """The embeddings of owned cells, at most M per instance.

    Args:
        mlvl_embeds (list[Tensor]): L tensors (B, D, G_l, G_l).
        batch_owners (list[list[Tensor]]): per image, L owner maps
            (G_l, G_l) holding an instance index or -1
            (:func:`~mmsolotrack.models.task_modules.instance_cell_map`).
        groups (Sequence, optional): per image, its identity group: images
            of one group (views of one image) share identities, instance k
            of one being instance k of the others. None: every image is its
            own group.
        max_per_instance (int, optional): M; the cells kept of an identity
            with more are a uniform random draw (``torch.randperm``). None:
            every cell.

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
    keep = limit_per_identity(ids, max_per_instance)
    return embeds[keep], ids[keep]


def limit_per_identity(ids: Tensor, limit: Optional[int]) -> Tensor:
    """Rows to keep so that no identity has more than ``limit`` of them.

    Args:
        ids (Tensor): (N,) identities.
        limit (int, optional): M; the rows kept of an identity with more are
            a uniform random draw (``torch.randperm``). None: every row.

    Returns:
        Tensor: (N',) long row indices (all rows, in order, when no identity
        exceeds ``limit``).
    """
    if limit is None or len(ids) <= limit:
        return torch.arange(len(ids), device=ids.device)
    # random order inside each identity, keep the first ``limit``
    order = torch.randperm(len(ids), device=ids.device)
    order = order[torch.sort(ids[order], stable=True)[1]]
    _, counts = torch.unique_consecutive(ids[order], return_counts=True)
    starts = torch.repeat_interleave(counts.cumsum(0) - counts, counts)
    rank = torch.arange(len(ids), device=ids.device) - starts
    return order[rank < limit]
