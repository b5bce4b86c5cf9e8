# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Videos as mmdet's VIS test loop packs them, with ground truth and
predicted tracks chosen by the test, and the loop's evaluation of them.

Shape shorthand: H x W frames.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import mask2bbox
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

from .masks import uncompressed_rle

__all__ = ['make_video', 'run_metric']


def _gt_instances(gts: Sequence[dict], frame: int) -> List[dict]:
    """The raw ``instances`` annotations of one frame (xyxy boxes)."""
    instances = []
    for gt in gts:
        if frame not in gt['masks']:
            continue
        ys, xs = np.nonzero(gt['masks'][frame])
        instances.append(
            dict(bbox=[
                float(xs.min()),
                float(ys.min()),
                float(xs.max() + 1),
                float(ys.max() + 1)
            ],
                 bbox_label=gt['label'],
                 instance_id=gt['instance_id'],
                 mask=uncompressed_rle(gt['masks'][frame]),
                 ignore_flag=gt.get('ignore', 0)))
    return instances


def make_video(video_id: int, first_img_id: int, num_frames: int,
               size: Tuple[int, int], gts: Sequence[dict],
               tracks: Sequence[dict]) -> TrackDataSample:
    """One video as the VIS pipeline packs it, with predictions attached.

    Args:
        video_id (int): The video's id.
        first_img_id (int): ``img_id`` of its first frame; the others follow.
        num_frames (int): Frames of the video.
        size (tuple[int, int]): (H, W).
        gts (Sequence[dict]): ``instance_id``, ``label``, ``masks``
            {frame: (H, W) bool}, optional ``ignore``.
        tracks (Sequence[dict]): ``track_id``, ``label``, ``masks``
            {frame: (H, W) bool}, ``scores`` {frame: float}.

    Returns:
        TrackDataSample: per frame the metainfo (with the ground truth as
        raw ``instances``) and ``pred_track_instances``.
    """
    h, w = size
    frames = []
    for f in range(num_frames):
        frame = DetDataSample(metainfo=dict(img_id=first_img_id + f,
                                            video_id=video_id,
                                            frame_id=f,
                                            ori_shape=(h, w),
                                            img_shape=(h, w),
                                            video_length=num_frames,
                                            ori_video_length=num_frames,
                                            instances=_gt_instances(gts, f)))
        present = [t for t in tracks if f in t['masks']]
        masks = torch.zeros((len(present), h, w), dtype=torch.bool)
        for i, t in enumerate(present):
            masks[i] = torch.from_numpy(t['masks'][f])
        frame.pred_track_instances = InstanceData(
            masks=masks,
            bboxes=mask2bbox(masks),
            scores=torch.tensor([t['scores'][f] for t in present],
                                dtype=torch.float32),
            labels=torch.tensor([t['label'] for t in present],
                                dtype=torch.long),
            instances_id=torch.tensor([t['track_id'] for t in present],
                                      dtype=torch.long))
        frames.append(frame)
    return TrackDataSample(video_data_samples=frames)


def run_metric(metric, videos: Sequence, classes: Sequence[str]) -> Dict:
    """What the test loop does: process video by video, then evaluate.

    Args:
        metric: A metric or its config, as :class:`Evaluator` takes it.
        videos (Sequence): ``TrackDataSample`` (or their dicts), one per
            video.
        classes (Sequence[str]): ``dataset_meta['classes']``.

    Returns:
        dict: The evaluated metrics.
    """
    evaluator = Evaluator(metric)
    evaluator.dataset_meta = dict(classes=classes)
    for video in videos:
        evaluator.process(data_samples=[video], data_batch=dict())
    return evaluator.evaluate(len(videos))
