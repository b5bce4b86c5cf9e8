# Copyright (c) mmsolotrack contributors. All rights reserved.
"""CLEAR-MOT counting (Bernardin & Stiefelhagen 2008), as py-motmetrics'
``MOTAccumulator`` does it, for one kind of object over one video.

Per frame, with a (G, P) distance matrix whose NaN entries forbid a pair:

1. A GT object still paired (finite distance) with the hypothesis id it was
   last matched to keeps it: a match, never a switch.
2. The remaining objects and hypotheses are assigned by the Hungarian
   algorithm over the allowed pairs, most matches first, then the least
   total distance. A match whose GT object was last matched to another
   hypothesis id is an ID switch (however long ago that was).
3. Unmatched objects are misses, unmatched hypotheses false positives.
"""
from typing import Dict, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

#: Counts an accumulator returns, summed over videos by the caller.
COUNT_KEYS = ('num_objects', 'num_detections', 'num_misses',
              'num_false_positives', 'num_switches', 'sum_distance')


def _allowed_assignment(dist: np.ndarray) -> tuple:
    """Hungarian assignment over the finite entries: most pairs, then least
    total distance (a forbidden pair costs more than any set of allowed
    ones).

    Returns:
        tuple[np.ndarray]: row and column indices of the allowed pairs.
    """
    valid = np.isfinite(dist)
    if not valid.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    span = np.abs(dist[valid]).max() + 1.0
    large = 2 * min(dist.shape) * span + 1.0
    rows, cols = linear_sum_assignment(np.where(valid, dist, large))
    keep = valid[rows, cols]
    return rows[keep], cols[keep]


class ClearMOTAccumulator:
    """Matches, misses, false positives and ID switches of one video.

    One accumulator follows one kind of object (for PoseTrack: one joint);
    ``update`` is called once per frame in temporal order.
    """

    def __init__(self) -> None:
        self.last_match: Dict[int, int] = {}  # GT id -> hypothesis id
        self._counts = dict.fromkeys(COUNT_KEYS, 0)
        self._counts['sum_distance'] = 0.0

    def update(self, gt_ids: Sequence[int], pred_ids: Sequence[int],
               dist: np.ndarray) -> None:
        """Add one frame.

        Args:
            gt_ids (Sequence[int]): (G, ) GT track ids.
            pred_ids (Sequence[int]): (P, ) predicted track ids.
            dist (np.ndarray): (G, P) distances, NaN where a pair may not
                match.
        """
        gt_ids = [int(i) for i in gt_ids]
        pred_ids = [int(i) for i in pred_ids]
        dist = np.asarray(dist,
                          np.float64).reshape(len(gt_ids),
                                              len(pred_ids)).copy()
        gt_done = np.zeros(len(gt_ids), bool)
        pred_done = np.zeros(len(pred_ids), bool)
        c = self._counts
        c['num_objects'] += len(gt_ids)

        def match(g, p, switch):
            gt_done[g], pred_done[p] = True, True
            c['num_detections'] += 1
            c['num_switches'] += int(switch)
            c['sum_distance'] += float(dist[g, p])
            self.last_match[gt_ids[g]] = pred_ids[p]

        for g, gid in enumerate(gt_ids):  # 1. keep last frame's pairs
            if gid not in self.last_match:
                continue
            for p, pid in enumerate(pred_ids):
                if not pred_done[p] and pid == self.last_match[gid]:
                    if np.isfinite(dist[g, p]):
                        match(g, p, switch=False)
                    break
        rest = dist.copy()  # 2. Hungarian on what is left
        rest[gt_done, :] = np.nan
        rest[:, pred_done] = np.nan
        for g, p in zip(*_allowed_assignment(rest)):
            gid = gt_ids[g]
            match(
                g, p, gid in self.last_match
                and self.last_match[gid] != pred_ids[p])
        c['num_misses'] += int((~gt_done).sum())  # 3. leftovers
        c['num_false_positives'] += int((~pred_done).sum())

    def counts(self) -> dict:
        """The counts so far (a copy); keys ``COUNT_KEYS``."""
        return dict(self._counts)


def _percent(numerator: float, denominator: float) -> float:
    return 100.0 * numerator / denominator if denominator else float('nan')


def clear_mot_summary(counts: Dict[str, dict]) -> dict:
    """MOTA, MOTP, precision and recall per kind and in total.

    Args:
        counts (dict[str, dict]): name (joint) -> summed counts
            (``COUNT_KEYS``).

    Returns:
        dict: ``MOTA``, ``MOTP``, ``precision``, ``recall`` (name -> value
        x100), ``total`` with the mean of each over the names whose value is
        defined (poseval's "Total") and the counts summed over names, and
        ``counts`` (the input). MOTA, precision and recall are NaN where
        undefined (no GT; no detection nor false positive); MOTP is 0
        without a match (poseval's convention).
    """
    out = dict(MOTA={}, MOTP={}, precision={}, recall={}, counts=counts)
    for name, c in counts.items():
        errors = c['num_misses'] + c['num_switches'] + c['num_false_positives']
        out['MOTA'][name] = (100.0 - _percent(errors, c['num_objects'])
                             if c['num_objects'] else float('nan'))
        out['MOTP'][name] = (100.0 -
                             _percent(c['sum_distance'], c['num_detections'])
                             if c['num_detections'] else 0.0)
        out['precision'][name] = _percent(
            c['num_detections'],
            c['num_detections'] + c['num_false_positives'])
        out['recall'][name] = _percent(c['num_detections'], c['num_objects'])
    total = {}
    for key in ('MOTA', 'MOTP', 'precision', 'recall'):
        values = np.array(list(out[key].values()), np.float64)
        values = values[~np.isnan(values)]
        total[key] = float(values.mean()) if len(values) else float('nan')
    for key in COUNT_KEYS:
        total[key] = sum(c[key] for c in counts.values())
    out['total'] = total
    return out
