# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Association baseline that uses mask IoU only (no embedding)."""
from typing import Optional

from mmsolotrack.registry import MODELS
from .embedding_tracker import EmbeddingTracker


@MODELS.register_module()
class MaskIoUTracker(EmbeddingTracker):
    """Online tracker that links instances by mask IoU with each track's
    last mask, the baseline (c) of DESIGN.md section 6.

    It is :class:`EmbeddingTracker` with ``embed_weight=0``: instance
    embeddings are never read, so ``pred_instances`` needs no
    ``embeddings``. The similarity is
    ``iou_weight * IoU + label_bonus * [same label]``.

    Args:
        det_score_thr (float): Instances below this score are ignored.
            Defaults to 0.3.
        init_score_thr (float): Smallest score of an unmatched instance that
            starts a new track. Defaults to 0.5.
        max_per_frame (int): At most this many instances per frame are
            associated. Defaults to 20.
        match_thr (float): Smallest similarity of a matched pair.
            Defaults to 0.5.
        iou_weight (float): Weight of the mask IoU, > 0. Defaults to 1.0.
        label_bonus (float): Added to the similarity when the labels agree.
            Defaults to 0.0.
        num_frames_retain (int): A track unmatched for more than this many
            frames is dropped. Defaults to 10.
    """

    def __init__(self,
                 det_score_thr: float = 0.3,
                 init_score_thr: float = 0.5,
                 max_per_frame: int = 20,
                 match_thr: float = 0.5,
                 iou_weight: float = 1.0,
                 label_bonus: float = 0.0,
                 num_frames_retain: int = 10,
                 dedup_iou_thr: Optional[float] = None) -> None:
        super().__init__(det_score_thr=det_score_thr,
                         init_score_thr=init_score_thr,
                         max_per_frame=max_per_frame,
                         match_thr=match_thr,
                         embed_weight=0.0,
                         iou_weight=iou_weight,
                         label_bonus=label_bonus,
                         momentum=0.0,
                         num_frames_retain=num_frames_retain,
                         dedup_iou_thr=dedup_iou_thr)
