# Copyright (c) mmsolotrack contributors. All rights reserved.
"""YouTube-VIS evaluation that runs on numpy 2.

mmdet 3.3.0's ``YTVISeval.accumulate`` casts with ``np.float``, an alias that
numpy 2 removed, so every AP computation crashes. :class:`YTVISEvalNumpy2`
keeps mmdet's per-video matching (``evaluate``, ``computeIoU``,
``evaluateVid``) and summary (``summarize``) untouched and only replaces
``accumulate``; the arrays it writes to ``self.eval`` are bit-identical to the
ones mmdet's code produces where ``np.float`` still exists.

Shape shorthand: T IoU thresholds, R recall thresholds, K categories,
A area ranges, M max-detection limits, D detections, G ground truths.
"""
import datetime
from typing import Optional, Tuple

import numpy as np
from mmdet.evaluation.functional import YTVISeval


def precision_recall_curves(
        dt_scores: np.ndarray, dt_matched: np.ndarray, dt_ignored: np.ndarray,
        num_gts: int,
        rec_thrs: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolated precision at fixed recalls, COCO style.

    Detections must already be sorted by decreasing score. Ignored detections
    count neither as true nor as false positives.

    Args:
        dt_scores (np.ndarray): (D, ) detection scores, sorted descending.
        dt_matched (np.ndarray): (T, D) bool, detection matched a ground
            truth at each IoU threshold.
        dt_ignored (np.ndarray): (T, D) bool, detection ignored at each IoU
            threshold.
        num_gts (int): number of non-ignored ground truths, > 0.
        rec_thrs (np.ndarray): (R, ) recall thresholds, ascending.

    Returns:
        tuple[np.ndarray]: precision (T, R), the best precision reached at a
        recall >= each threshold (0 where the recall is never reached);
        recall (T, ), the recall after all detections; scores (T, R), the
        score of the detection where each recall threshold is reached (0
        where it is never reached).
    """
    num_thrs, num_dets = dt_matched.shape
    counted = ~dt_ignored
    tp = np.cumsum(dt_matched & counted, axis=1, dtype=np.float64)
    fp = np.cumsum(~dt_matched & counted, axis=1, dtype=np.float64)
    rc = tp / num_gts
    pr = tp / (fp + tp + np.spacing(1))
    # precision envelope: best precision at this or any later (higher) recall
    pr = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]

    precision = np.zeros((num_thrs, len(rec_thrs)))
    scores = np.zeros((num_thrs, len(rec_thrs)))
    recall = rc[:, -1] if num_dets else np.zeros(num_thrs)
    for t in range(num_thrs):
        # first detection whose cumulative recall reaches each threshold
        first = np.searchsorted(rc[t], rec_thrs, side='left')
        reached = first < num_dets
        precision[t, reached] = pr[t, first[reached]]
        scores[t, reached] = dt_scores[first[reached]]
    return precision, recall, scores


class YTVISEvalNumpy2(YTVISeval):
    """mmdet's ``YTVISeval`` with a numpy-2-safe ``accumulate``.

    Use it exactly like ``YTVISeval``: ``evaluate()``, ``accumulate()``,
    ``summarize()``. Unlike mmdet's version, ``accumulate`` prints nothing.
    """

    def accumulate(self, p: Optional[object] = None) -> None:
        """Turn the per-video matches of ``evaluate`` into PR curves.

        Fills ``self.eval`` with ``precision`` (T, R, K, A, M), ``recall``
        (T, K, A, M) and ``scores`` (T, R, K, A, M); -1 marks settings
        without any non-ignored ground truth.

        Args:
            p (Params, optional): evaluation parameters; defaults to
                ``self.params``. Only settings that ``evaluate`` ran with
                are filled.
        """
        if not hasattr(self, 'evalImgs'):
            raise RuntimeError(
                'YTVISEvalNumpy2.accumulate: call evaluate() first.')
        p = self.params if p is None else p
        if p.useCats != 1:
            p.catIds = [-1]
        num_t, num_r = len(p.iouThrs), len(p.recThrs)
        num_k = len(p.catIds) if p.useCats else 1
        num_a, num_m = len(p.areaRng), len(p.maxDets)
        precision = -np.ones((num_t, num_r, num_k, num_a, num_m))
        recall = -np.ones((num_t, num_k, num_a, num_m))
        scores = -np.ones((num_t, num_r, num_k, num_a, num_m))

        # evalImgs is laid out [category][area range][video] as evaluate()
        # ran them; keep the settings of p that were evaluated.
        ran = self._paramsEval
        ran_cats = set(ran.catIds if ran.useCats else [-1])
        ran_areas = set(tuple(rng) for rng in ran.areaRng)
        ran_vids = set(ran.vidIds)
        cat_rows = [n for n, c in enumerate(p.catIds) if c in ran_cats]
        area_rows = [
            n for n, rng in enumerate(p.areaRng) if tuple(rng) in ran_areas
        ]
        max_dets = [m for m in p.maxDets if m in set(ran.maxDets)]
        vid_rows = [n for n, v in enumerate(p.vidIds) if v in ran_vids]
        num_ran_vids, num_ran_areas = len(ran.vidIds), len(ran.areaRng)

        for k, k_ran in enumerate(cat_rows):
            for a, a_ran in enumerate(area_rows):
                start = (k_ran * num_ran_areas + a_ran) * num_ran_vids
                per_vid = [self.evalImgs[start + i] for i in vid_rows]
                per_vid = [e for e in per_vid if e is not None]
                if not per_vid:
                    continue
                gt_ignored = np.concatenate([e['gtIgnore'] for e in per_vid])
                num_gts = np.count_nonzero(gt_ignored == 0)
                if num_gts == 0:
                    continue
                for m, max_det in enumerate(max_dets):
                    dt_scores = np.concatenate(
                        [e['dtScores'][:max_det] for e in per_vid])
                    order = np.argsort(-dt_scores, kind='mergesort')
                    dt_matched = np.concatenate(
                        [e['dtMatches'][:, :max_det] for e in per_vid],
                        axis=1)[:, order] != 0
                    dt_ignored = np.concatenate(
                        [e['dtIgnore'][:, :max_det] for e in per_vid],
                        axis=1)[:, order].astype(bool)
                    (precision[:, :, k, a, m], recall[:, k, a, m],
                     scores[:, :, k, a, m]) = precision_recall_curves(
                         dt_scores[order], dt_matched, dt_ignored, num_gts,
                         p.recThrs)

        self.eval = dict(
            params=p,
            counts=[num_t, num_r, num_k, num_a, num_m],
            date=datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S'),
            precision=precision,
            recall=recall,
            scores=scores)
