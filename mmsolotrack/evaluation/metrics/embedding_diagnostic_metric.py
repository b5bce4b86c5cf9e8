# Copyright (c) mmsolotrack contributors. All rights reserved.
"""How well embeddings alone re-identify instances across frames.

No tracker is involved: every ground-truth instance of every frame gets the
embedding the model pools inside its ground-truth mask
(``SOLOTrack(with_gt_embeddings=True)`` stores it in
``gt_instances.embeddings``). Within each video:

* ``rank1``: for every (frame, instance), is its nearest neighbour (cosine)
  among the instances of *other* frames the same identity? (ReID rank-1.)
* ``cos_same`` / ``cos_diff``: mean cosine of cross-frame pairs of the same /
  different identities; ``cos_gap = cos_same - cos_diff``.

Shape shorthand: M instance-frames of a video, D embedding dims.
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmsolotrack.registry import METRICS


def _get(obj, key):
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None) if key in obj else None


def _to_numpy(x) -> np.ndarray:
    return x.detach().cpu().numpy() if hasattr(x, 'detach') else np.asarray(x)


def embedding_retrieval_stats(embeddings: np.ndarray, identities: np.ndarray,
                              frames: np.ndarray) -> Dict[str, float]:
    """Retrieval statistics of one video.

    Args:
        embeddings (np.ndarray): (M, D) unit-norm embeddings.
        identities (np.ndarray): (M, ) identity of each row.
        frames (np.ndarray): (M, ) frame index of each row.

    Returns:
        dict: ``queries`` and ``hits`` (rank-1), sums and counts of the
        same- and different-identity cross-frame cosines.
    """
    sims = embeddings @ embeddings.T
    cross = frames[:, None] != frames[None, :]
    same = identities[:, None] == identities[None, :]
    masked = np.where(cross, sims, -np.inf)
    has_candidate = cross.any(axis=1)
    nearest = masked.argmax(axis=1)
    hits = (identities[nearest] == identities) & has_candidate
    return dict(
        queries=int(has_candidate.sum()),
        hits=int(hits.sum()),
        same_sum=float(sims[cross & same].sum()),
        same_count=int((cross & same).sum()),
        diff_sum=float(sims[cross & ~same].sum()),
        diff_count=int((cross & ~same).sum()))


@METRICS.register_module()
class EmbeddingDiagnosticMetric(BaseMetric):
    """Cross-frame nearest-neighbour identity accuracy of GT-pooled embeddings.

    Feed it the VIS test loop's outputs (one video per ``process`` call) of a
    ``SOLOTrack`` built with ``with_gt_embeddings=True``.

    Args:
        collect_device (str): As for :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Defaults to ``'embed'``.
    """

    default_prefix: Optional[str] = 'embed'

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        for video in data_samples:
            frames = _get(video, 'video_data_samples') or [video]
            embeds, ids, frame_idx = [], [], []
            for t, frame in enumerate(frames):
                gt = _get(frame, 'gt_instances')
                if gt is None or _get(gt, 'embeddings') is None:
                    raise KeyError(
                        'EmbeddingDiagnosticMetric needs gt_instances.'
                        'embeddings: build the model with '
                        '`with_gt_embeddings=True`')
                emb = _to_numpy(_get(gt, 'embeddings'))
                inst_ids = _get(gt, 'instances_ids')
                if inst_ids is None:
                    inst_ids = _get(gt, 'instances_id')
                if inst_ids is None:
                    raise KeyError('EmbeddingDiagnosticMetric needs '
                                   'gt_instances.instances_ids (a video '
                                   'dataset with identities)')
                if len(emb) == 0:  # no instance visible in this frame
                    continue
                embeds.append(emb.reshape(len(emb), -1))
                ids.append(_to_numpy(inst_ids).reshape(-1))
                frame_idx.append(np.full(len(emb), t))
            if not embeds or sum(len(e) for e in embeds) == 0:
                self.results.append(None)
                continue
            self.results.append(
                embedding_retrieval_stats(
                    np.concatenate(embeds).astype(np.float64),
                    np.concatenate(ids), np.concatenate(frame_idx)))

    def compute_metrics(self, results: List[Optional[dict]]) -> dict:
        stats = [r for r in results if r is not None]
        total = {
            k: sum(r[k] for r in stats)
            for k in ('queries', 'hits', 'same_sum', 'same_count',
                      'diff_sum', 'diff_count')
        }
        if total['queries'] == 0:
            MMLogger.get_current_instance().warning(
                'EmbeddingDiagnosticMetric: no instance appears in two '
                'frames of a video; reporting -1')
            return dict(rank1=-1.0, cos_same=-1.0, cos_diff=-1.0,
                        cos_gap=-1.0)
        cos_same = total['same_sum'] / max(total['same_count'], 1)
        cos_diff = total['diff_sum'] / max(total['diff_count'], 1)
        return dict(
            rank1=round(total['hits'] / total['queries'], 4),
            cos_same=round(cos_same, 4),
            cos_diff=round(cos_diff, 4),
            cos_gap=round(cos_same - cos_diff, 4))
