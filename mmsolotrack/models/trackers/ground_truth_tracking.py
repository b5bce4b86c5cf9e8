# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Association alone: a tracker run on a frame's ground-truth instances."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData


def track_ground_truth(tracker, frame: DetDataSample,
                       frame_id: int) -> InstanceData:
    """Track one frame's ground-truth instances with ``tracker``.

    The instances are the ground truth's masks and labels, score 1, with
    the embeddings the model pooled inside their masks; the tracker's score
    thresholds should be 0 so that every instance takes part.

    Args:
        tracker: An ``EmbeddingTracker``-like tracker (reset per video by
            the caller).
        frame (DetDataSample): With ``gt_instances`` holding ``masks``
            (BitmapMasks or (G, H, W) tensor), ``labels`` and ``embeddings``
            (G, D).
        frame_id (int): Used when the metainfo has no ``frame_id``.

    Returns:
        InstanceData: The tracker's output (``instances_id`` etc.).

    Raises:
        KeyError: When ``gt_instances`` has no ``embeddings``.
    """
    gt = frame.gt_instances
    if 'embeddings' not in gt:
        raise KeyError('tracking the ground truth needs gt_instances.'
                       'embeddings: build SOLOTrack with '
                       '`with_gt_embeddings=True`')
    masks = gt.masks
    if hasattr(masks, 'to_tensor'):
        masks = masks.to_tensor(torch.bool, gt.embeddings.device)
    oracle = DetDataSample(metainfo=frame.metainfo)
    if 'frame_id' not in oracle.metainfo:
        oracle.set_metainfo(dict(frame_id=frame_id))
    oracle.pred_instances = InstanceData(masks=masks.bool(),
                                         scores=gt.embeddings.new_ones(
                                             len(masks)),
                                         labels=gt.labels,
                                         embeddings=gt.embeddings)
    return tracker.track(oracle)
