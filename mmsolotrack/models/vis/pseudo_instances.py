# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Which of the model's own predictions on an unlabelled frame the cycle
loss walks between (the paper's pseudo-instances)."""
from typing import Optional

from mmengine.structures import InstanceData

from ..trackers.mask_nms import suppress_duplicates

#: SOLOTrack's ``pseudo_cfg`` defaults (s_min, N, N_min, dedup).
DEFAULT_PSEUDO_CFG = dict(
    min_score=0.3, max_instances=10, min_instances=3, dedup_iou_thr=None)


def select_pseudo_instances(results: InstanceData, min_score: float,
                            max_instances: int, min_instances: int,
                            dedup_iou_thr: Optional[float]) -> InstanceData:
    """One frame's pseudo-instances, highest score first.

    With ``dedup_iou_thr``, a mask overlapping a higher-scoring one by more
    is dropped first (matrix NMS decays duplicates but keeps them, and a walk
    cannot tell two copies of one object apart); then the instances scoring
    at least s_min, at most N; when fewer than N_min pass, the N_min best.

    Args:
        results (InstanceData): The detector's predictions of the frame
            (``scores`` (P, ), ``masks`` (P, h, w)).
        min_score (float): s_min.
        max_instances (int): N.
        min_instances (int): N_min.
        dedup_iou_thr (float, optional): The duplicate mask IoU.

    Returns:
        InstanceData: at most N of ``results``.
    """
    order = results.scores.argsort(descending=True, stable=True)
    if dedup_iou_thr is not None and len(order) > 1:
        order = order[suppress_duplicates(results.masks[order].bool(),
                                          dedup_iou_thr)]
    num = int((results.scores[order] >= min_score).sum())
    return results[order[:min(max(num, min_instances), max_instances)]]
