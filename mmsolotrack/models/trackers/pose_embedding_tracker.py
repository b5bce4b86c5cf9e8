# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The embedding tracker for people given as poses (keypoints + box).

Shape shorthand (one frame): N people kept after the score filter, M live
tracks, K keypoints, D embedding dims.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.structures.bbox import bbox_overlaps
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.registry import MODELS
from .embedding_tracker import EmbeddingTracker

#: pred_instances fields a frame needs.
POSE_FIELDS = ('keypoints', 'keypoint_scores', 'bboxes', 'scores')


@MODELS.register_module()
class PoseEmbeddingTracker(EmbeddingTracker):
    """:class:`EmbeddingTracker` on people: boxes and keypoints, no masks.

    The similarity of a person to a live track is

        s = embed_weight * cos(x, m) + iou_weight * IoU(box, last box);

    matching, track birth, memory update and the retention rule are the
    parent's. All people are of one category (``labels`` are 0). The
    per-track record keeps the last box (where the mask tracker keeps its
    mask RLE) when ``iou_weight > 0``.

    Args:
        det_score_thr, init_score_thr, max_per_frame, match_thr,
        embed_weight, momentum, num_frames_retain: As for
            :class:`EmbeddingTracker`.
        iou_weight (float): Weight of the box IoU with the track's last box.
            Defaults to 0.0.
        box_nms_thr (float, optional): People whose box overlaps a
            higher-scoring kept one by IoU above this are dropped before
            association. None: keep all. Defaults to None.
        keypoint_score_thr (float, optional): Output keypoints scored below
            this are NaN (unpredicted: written as ``0, 0, 0`` in the
            PoseTrack results, so they are neither matched nor false
            positives), as PoseTrack submissions drop unsure joints before
            MOTA. None: keep all. Defaults to None.
    """

    def __init__(self,
                 det_score_thr: float = 0.3,
                 init_score_thr: float = 0.5,
                 max_per_frame: int = 20,
                 match_thr: float = 0.5,
                 embed_weight: float = 1.0,
                 iou_weight: float = 0.0,
                 momentum: float = 0.8,
                 num_frames_retain: int = 10,
                 box_nms_thr: Optional[float] = None,
                 keypoint_score_thr: Optional[float] = None) -> None:
        super().__init__(
            det_score_thr=det_score_thr,
            init_score_thr=init_score_thr,
            max_per_frame=max_per_frame,
            match_thr=match_thr,
            embed_weight=embed_weight,
            iou_weight=iou_weight,
            momentum=momentum,
            num_frames_retain=num_frames_retain)
        self.box_nms_thr = box_nms_thr
        self.keypoint_score_thr = keypoint_score_thr

    def track(self, data_sample, **kwargs) -> InstanceData:
        """Associate the people of one frame with the live tracks.

        Args:
            data_sample: ``metainfo['frame_id']``, the frame's index in the
                video, and ``pred_instances`` with ``keypoints`` (N, K, 2),
                ``keypoint_scores`` (N, K), ``bboxes`` (N, 4) xyxy,
                ``scores`` (N,) and, when ``embed_weight > 0``,
                ``embeddings`` (N, D).

        Returns:
            InstanceData: the N' tracked people, highest score first:
            ``keypoints`` (NaN where below ``keypoint_score_thr``),
            ``keypoint_scores``, ``bboxes``, ``scores`` and ``instances_id``
            (N',) long.
        """
        frame_id = self._check_frame_id(data_sample)
        order, dets = self._select_detections(data_sample)
        self.pop_invalid_tracks(frame_id - 1)
        boxes = dets['bboxes'] if self.with_masks else None
        ids = torch.from_numpy(self._assign_ids(dets, boxes))
        keep = (ids >= 0).nonzero(as_tuple=False).view(-1)
        dets = {k: v[keep.to(v.device)] for k, v in dets.items()}
        ids = ids[keep].to(dets['scores'].device)
        self.update(
            ids=ids,
            embeddings=dets.get('embeddings'),
            masks=list(dets['bboxes'].float().cpu()) if boxes is not None
            else None,
            labels=dets['labels'],
            scores=dets['scores'],
            frame_ids=frame_id)
        pred = data_sample.pred_instances
        rows = order[keep.to(order.device)]
        keypoints = pred.keypoints[rows].float()  # (N', K, 2)
        if self.keypoint_score_thr is not None:
            unsure = pred.keypoint_scores[rows] < self.keypoint_score_thr
            keypoints = keypoints.masked_fill(unsure[..., None], float('nan'))
        return InstanceData(
            keypoints=keypoints,
            keypoint_scores=pred.keypoint_scores[rows],
            bboxes=dets['bboxes'],
            scores=dets['scores'],
            instances_id=ids)

    def _select_detections(self,
                           data_sample) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Rows of ``pred_instances`` kept (score filter, optional box NMS,
        top ``max_per_frame``) and their ``scores``, ``labels`` (0),
        ``bboxes`` and unit ``embeddings``."""
        name = type(self).__name__
        pred = data_sample.get('pred_instances')
        if pred is None:
            raise KeyError(f'{name}.track: data_sample has no pred_instances')
        for key in POSE_FIELDS + (('embeddings', )
                                  if self.with_embeddings else ()):
            if key not in pred:
                raise KeyError(f"{name}.track: pred_instances has no '{key}'")
        scores = pred.scores.float()
        order = torch.argsort(scores, descending=True, stable=True)
        order = order[:int((scores >= self.det_score_thr).sum())]
        boxes = pred.bboxes.float()
        if self.box_nms_thr is not None and len(order) > 1:
            ious = bbox_overlaps(boxes[order], boxes[order])
            keep: List[int] = []
            for i in range(len(order)):
                if all(ious[i, j] <= self.box_nms_thr for j in keep):
                    keep.append(i)
            order = order[keep]
        order = order[:self.max_per_frame]
        dets = dict(
            scores=scores[order],
            labels=torch.zeros(len(order), dtype=torch.long,
                               device=scores.device),
            bboxes=boxes[order])
        if self.with_embeddings:
            dets['embeddings'] = F.normalize(
                pred.embeddings[order].float(), dim=1)
        return order, dets

    def _similarity(self, dets: Dict[str, Tensor],
                    boxes: Optional[Tensor]) -> Tensor:
        """Similarity s (N, M): embedding cosine plus weighted box IoU."""
        x = dets['scores']
        sim = x.new_zeros((len(x), len(self.state)), dtype=torch.float32)
        if self.with_embeddings:
            x = dets['embeddings']  # (N, D), unit rows
            memory = self.state.memory.to(x.device)  # (M, D)
            if memory.shape[1] != x.shape[1]:
                raise ValueError(
                    f'{type(self).__name__}.track: embeddings have D='
                    f'{x.shape[1]} but the tracks hold D={memory.shape[1]}')
            sim += self.embed_weight * (x @ memory.t())
        if self.with_masks:
            last = torch.stack([self.records[i]['masks'] for i in self.ids])
            sim += self.iou_weight * bbox_overlaps(boxes.float().cpu(),
                                                   last).to(sim)
        return sim
