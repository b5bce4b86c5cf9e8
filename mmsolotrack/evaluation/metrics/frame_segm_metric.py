# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Per-frame quality of the segmenter alone, from the VIS test loop.

Reads every frame's ``pred_instances`` (the segmenter's output before the
tracker) against the frame's ground truth and reports what a video AP mixes
together:

* ``segm_AP`` / ``segm_AP50`` and ``segm_agnostic_AP`` / ``_AP50``: COCO mask
  AP over all frames as independent images (pycocotools; agnostic: one
  category for everything);
* ``recall50``: ground-truth instances matched by a prediction (Hungarian on
  mask IoU, IoU >= 0.5, any score);
* ``det_agnostic_AP``: the agnostic AP ranked by the segmenter's own
  scores (``det_scores``), when a classifier fused its scores in;
* ``cls_acc``: label accuracy of those matched predictions and, when the
  model relabels its masks (``SOLOTrack(cls_head=...)``), ``det_cls_acc``,
  the accuracy of the segmenter's own labels (``det_labels``);
* the score distribution of matched (true) and unmatched (false)
  predictions: ``score_tp_p{10,50,90}``, ``score_fp_p{10,50,90}``, and
  ``preds_per_frame``.

Shape shorthand: P predictions and G ground-truth instances of a frame.
"""
import contextlib
import io
from typing import Dict, List, Sequence

import numpy as np
import pycocotools.mask as mask_util
from mmengine.evaluator import BaseMetric
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmsolotrack.models.trackers.association import (encode_masks_rle,
                                                     mask_iou_rle,
                                                     match_max_iou,
                                                     segmentation_to_rle)
from mmsolotrack.registry import METRICS


def match_frame(pred_rles: List[dict], gt_rles: List[dict],
                iou_thr: float = 0.5) -> np.ndarray:
    """One-to-one match of predictions to ground truth by mask IoU
    (:func:`match_max_iou`: Hungarian on IoU, pairs with IoU >= ``iou_thr``).

    Returns:
        np.ndarray: (P, ) index of the matched ground truth, -1 if none.
    """
    return match_max_iou(mask_iou_rle(pred_rles, gt_rles), iou_thr)


def coco_segm_ap(frames: Sequence[dict], num_classes: int,
                 agnostic: bool) -> Dict[str, float]:
    """COCO mask AP / AP50 of frames taken as independent images.

    Args:
        frames (Sequence[dict]): per frame ``height``, ``width``,
            ``gt_rles``, ``gt_labels``, ``pred_rles``, ``pred_labels``,
            ``pred_scores``.
        num_classes (int): C (labels are 0 .. C-1).
        agnostic (bool): one category for all instances.

    Returns:
        dict: ``AP`` and ``AP50`` (-1 when there is no ground truth).
    """
    images, anns, dets = [], [], []
    for img_id, f in enumerate(frames, start=1):
        images.append(dict(id=img_id, height=f['height'], width=f['width']))
        for rle, label in zip(f['gt_rles'], f['gt_labels']):
            anns.append(
                dict(id=len(anns) + 1, image_id=img_id,
                     category_id=1 if agnostic else int(label) + 1,
                     segmentation=rle, area=float(mask_util.area(rle)),
                     bbox=list(mask_util.toBbox(rle)), iscrowd=0))
        for rle, label, score in zip(f['pred_rles'], f['pred_labels'],
                                     f['pred_scores']):
            dets.append(
                dict(image_id=img_id,
                     category_id=1 if agnostic else int(label) + 1,
                     segmentation=rle, score=float(score),
                     area=float(mask_util.area(rle)),
                     bbox=list(mask_util.toBbox(rle))))
    if not anns:
        return dict(AP=-1.0, AP50=-1.0)
    cats = [dict(id=c + 1, name=str(c))
            for c in range(1 if agnostic else num_classes)]
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = dict(images=images, annotations=anns, categories=cats)
        gt.createIndex()
        dt = COCO()
        dt.dataset = dict(images=images, annotations=[
            dict(d, id=i + 1) for i, d in enumerate(dets)
        ], categories=cats)
        dt.createIndex()
        evaluator = COCOeval(gt, dt, iouType='segm')
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return dict(AP=float(evaluator.stats[0]), AP50=float(evaluator.stats[1]))


@METRICS.register_module()
class FrameSegmMetric(BaseMetric):
    """The segmenter's per-frame AP, recall, label accuracy and scores.

    Args:
        num_classes (int, optional): C; defaults to the length of
            ``dataset_meta['classes']``.
        iou_thr (float): Mask IoU of a match. Defaults to 0.5.
        collect_device (str): As for :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Defaults to ``'frame'``.
    """

    default_prefix = 'frame'

    def __init__(self, num_classes: int = None, iou_thr: float = 0.5,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.iou_thr = iou_thr

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        for video in data_samples:
            samples = video['video_data_samples'] if isinstance(
                video, dict) else getattr(video, 'video_data_samples',
                                          [video])
            for sample in samples:
                if 'pred_instances' not in sample:
                    raise KeyError('FrameSegmMetric needs the per-frame '
                                   'pred_instances of the segmenter')
                height, width = sample.metainfo['ori_shape'][:2]
                instances = sample.metainfo.get('instances', [])
                pred = sample.pred_instances
                pred_rles = encode_masks_rle(pred.masks)
                gt_rles = [segmentation_to_rle(i['mask'], height, width)
                           for i in instances]
                match = match_frame(pred_rles, gt_rles, self.iou_thr)
                gt_labels = np.array(
                    [int(i['bbox_label']) for i in instances], np.int64)
                frame = dict(
                    height=height, width=width, gt_rles=gt_rles,
                    gt_labels=gt_labels, pred_rles=pred_rles,
                    pred_labels=pred.labels.cpu().numpy(),
                    pred_scores=pred.scores.float().cpu().numpy(),
                    match=match)
                if 'det_labels' in pred:
                    frame['det_labels'] = pred.det_labels.cpu().numpy()
                if 'det_scores' in pred:
                    frame['det_scores'] = pred.det_scores.float().cpu(
                    ).numpy()
                self.results.append(frame)

    def compute_metrics(self, results: List[dict]) -> dict:
        num_classes = self.num_classes or len(
            (self.dataset_meta or {}).get('classes', ())) or 1
        out = {}
        for agnostic, name in ((False, ''), (True, 'agnostic_')):
            ap = coco_segm_ap(results, num_classes, agnostic)
            out[f'segm_{name}AP'] = round(ap['AP'], 4)
            out[f'segm_{name}AP50'] = round(ap['AP50'], 4)
        if all('det_scores' in f for f in results):
            # the segmenter's own ranking (before a classifier's fusion)
            ap = coco_segm_ap([dict(f, pred_scores=f['det_scores'])
                               for f in results], num_classes, True)
            out['det_agnostic_AP'] = round(ap['AP'], 4)
        num_gt = sum(len(f['gt_labels']) for f in results)
        matched = [(f, f['match'] >= 0) for f in results]
        num_matched = sum(int(m.sum()) for _, m in matched)
        out['recall50'] = round(num_matched / max(num_gt, 1), 4)
        for key, name in (('pred_labels', 'cls_acc'),
                          ('det_labels', 'det_cls_acc')):
            if not all(key in f for f in results):
                continue
            hits = sum(
                int((f[key][m] == f['gt_labels'][f['match'][m]]).sum())
                for f, m in matched)
            out[name] = round(hits / num_matched, 4) if num_matched else -1.
        tp = np.concatenate([f['pred_scores'][m] for f, m in matched] +
                            [np.zeros(0)])
        fp = np.concatenate([f['pred_scores'][~m] for f, m in matched] +
                            [np.zeros(0)])
        for scores, name in ((tp, 'tp'), (fp, 'fp')):
            for q in (10, 50, 90):
                out[f'score_{name}_p{q}'] = round(
                    float(np.percentile(scores, q)), 4) if len(scores) \
                    else -1.0
        out['preds_per_frame'] = round(
            (len(tp) + len(fp)) / max(len(results), 1), 3)
        return out
