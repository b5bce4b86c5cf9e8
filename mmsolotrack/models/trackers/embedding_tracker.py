# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Online tracker that links per-frame instances by embedding similarity.

Shape shorthand (one frame at a time):
    N: instances of the current frame kept after the score filter
    M: live tracks
    D: embedding dimension
    H, W: mask size

A track holds O(D + C) numbers plus one compressed mask, whatever the length
of the video: its embedding memory m (1, D), the frame it was last matched
at, a running score sum per category (C categories it was seen with) and,
when mask IoU is part of the similarity, its last mask as a COCO RLE.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
import pycocotools.mask as mask_util
import torch
import torch.nn.functional as F
from addict import Dict as AttrDict
from mmdet.models.trackers import BaseTracker
from mmdet.structures import DetDataSample
from mmdet.structures.mask import mask2bbox
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor

from mmsolotrack.registry import MODELS


def encode_masks_rle(masks: Tensor) -> List[dict]:
    """Encode binary masks as COCO run-length encodings.

    Args:
        masks (Tensor): (N, H, W) binary masks (bool or {0, 1}), any device.

    Returns:
        list[dict]: N RLEs with keys ``size`` ([H, W]) and ``counts``
        (bytes), as pycocotools writes them.
    """
    array = masks.detach().to('cpu', torch.uint8).numpy()
    return mask_util.encode(np.asfortranarray(array.transpose(1, 2, 0)))


def mask_iou_rle(rles_a: List[dict], rles_b: List[dict]) -> np.ndarray:
    """Pairwise mask IoU of two lists of RLEs, vectorised by pycocotools.

    Two empty masks have IoU 0.

    Args:
        rles_a (list[dict]): A RLEs of masks of size (H, W).
        rles_b (list[dict]): B RLEs of masks of the same size.

    Returns:
        np.ndarray: (A, B) float64 IoU matrix.
    """
    if len(rles_a) == 0 or len(rles_b) == 0:
        return np.zeros((len(rles_a), len(rles_b)), dtype=np.float64)
    sizes = {tuple(rle['size']) for rle in list(rles_a) + list(rles_b)}
    if len(sizes) != 1:
        raise ValueError('mask_iou_rle: all masks must have the same size, '
                         f'got sizes {sorted(sizes)}')
    ious = mask_util.iou(list(rles_a), list(rles_b), [0] * len(rles_b))
    return np.asarray(ious, dtype=np.float64).reshape(len(rles_a), len(rles_b))


def match_by_similarity(similarity: np.ndarray,
                        match_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Hungarian assignment that maximises similarity above a threshold.

    Only pairs with ``similarity >= match_thr`` may be matched. Among such
    assignments the one with the most pairs is chosen and, among those, the
    one with the largest total similarity (a pair never loses to leaving both
    sides unmatched).

    Args:
        similarity (np.ndarray): (N, M) similarity of N instances to M tracks.
        match_thr (float): The smallest similarity of a matched pair.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``rows`` and ``cols``, both (K,) int64:
        instance ``rows[k]`` is matched to track ``cols[k]``.
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    if similarity.ndim != 2:
        raise ValueError('match_by_similarity: similarity must be (N, M), '
                         f'got shape {similarity.shape}')
    valid = similarity >= match_thr
    empty = np.zeros(0, dtype=np.int64)
    if not valid.any():
        return empty, empty
    low = similarity[valid].min()
    spread = similarity[valid].max() - low
    # Every allowed pair earns `bonus`, which outweighs any difference in
    # total similarity between assignments, so the count comes first.
    bonus = min(similarity.shape) * spread + 1.0
    weights = np.where(valid, similarity - low + bonus, 0.0)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    keep = valid[rows, cols]
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def _suppress_duplicates(masks: Tensor, iou_thr: float) -> Tensor:
    """Greedy class-agnostic mask NMS over masks sorted by score.

    Args:
        masks (Tensor): (N, H, W) bool, highest score first.
        iou_thr (float): A mask overlapping a kept one by more is dropped.

    Returns:
        Tensor: (K, ) long indices of the kept masks, in order.
    """
    flat = masks.flatten(1).float()
    inter = flat @ flat.t()
    area = flat.sum(dim=1)
    iou = inter / (area[:, None] + area[None, :] - inter).clamp(min=1)
    keep: List[int] = []
    for i in range(len(masks)):
        if not keep or float(iou[i, keep].max()) <= iou_thr:
            keep.append(i)
    return torch.tensor(keep, dtype=torch.long, device=masks.device)


def _take(fields: Dict[str, Tensor], index: Tensor) -> Dict[str, Tensor]:
    """Rows ``index`` (K,) of every (N, ...) tensor in ``fields``.

    Plain indexing, not ``index_select``: on CPU, ``index_select`` of
    (N, H, W) bool masks is about 100x slower (0.8 s vs 8 ms for 100 masks
    of 160 x 256).
    """
    return {k: v[index.to(v.device)] for k, v in fields.items()}


@MODELS.register_module()
class EmbeddingTracker(BaseTracker):
    """Online tracker of the paper: association by instance embeddings.

    For each frame: keep the instances with score >= ``det_score_thr``,
    drop duplicates (below), then keep at most ``max_per_frame`` of them,
    highest scores first; score every (instance, live track) pair by

        s = embed_weight * cos(x, m) + iou_weight * IoU(mask, last mask)
            + label_bonus * [label == track label];

    match by the Hungarian algorithm (pairs with s >= ``match_thr`` only: a
    pair at exactly ``match_thr`` is matched);
    start a track for each unmatched instance with score >= ``init_score_thr``
    (ids 0, 1, 2, ... per video, highest score first). A matched track's
    memory becomes m <- normalise(a * m + (1 - a) * x), a = ``momentum``.

    A track can still be matched after missing ``num_frames_retain`` frames
    (counted in ``frame_id`` units); once it misses more it is dropped and
    the object, if it comes back, gets a new id. The label output for a track
    is its score-weighted category vote over all its frames so far.

    Before association, an instance whose mask overlaps a higher-scoring
    kept instance of the frame by IoU > ``dedup_iou_thr`` is dropped (IoU
    exactly ``dedup_iou_thr`` is kept), whatever the two labels: SOLO's
    matrix NMS is class-aware, so an uncertain classifier yields one mask
    several times under different categories, and such duplicates would
    otherwise start competing tracks of the same object. The order is
    intended: duplicates go *before* the ``max_per_frame`` cut, so a dropped
    duplicate never takes the place of a distinct object.

    Mask IoU is computed on COCO RLEs with pycocotools' vectorised
    ``iou``; the masks are only encoded and stored when ``iou_weight > 0``.

    Args:
        det_score_thr (float): Instances below this score are ignored.
            Defaults to 0.3.
        init_score_thr (float): Smallest score of an unmatched instance that
            starts a new track. Defaults to 0.5.
        max_per_frame (int): At most this many instances per frame are
            associated. Defaults to 20.
        match_thr (float): Smallest similarity s of a matched pair.
            Defaults to 0.5.
        embed_weight (float): Weight of the embedding cosine in s.
            Defaults to 1.0.
        iou_weight (float): Weight of the mask IoU with the track's last
            mask in s. Defaults to 0.0.
        label_bonus (float): Added to s when the instance's label equals the
            track's voted label. Defaults to 0.0.
        momentum (float): Memory momentum a in [0, 1). Defaults to 0.8.
        num_frames_retain (int): A track unmatched for more than this many
            frames is dropped. Defaults to 10.
        dedup_iou_thr (float, optional): Class-agnostic duplicate
            suppression threshold (mask IoU); None keeps duplicates.
            Defaults to None (our SOLO configs use 0.7).
    """

    def __init__(self,
                 det_score_thr: float = 0.3,
                 init_score_thr: float = 0.5,
                 max_per_frame: int = 20,
                 match_thr: float = 0.5,
                 embed_weight: float = 1.0,
                 iou_weight: float = 0.0,
                 label_bonus: float = 0.0,
                 momentum: float = 0.8,
                 num_frames_retain: int = 10,
                 dedup_iou_thr: Optional[float] = None) -> None:
        name = type(self).__name__
        if not isinstance(max_per_frame, int) or max_per_frame < 1:
            raise ValueError(f'{name}: max_per_frame must be a positive int, '
                             f'got {max_per_frame!r}')
        if not isinstance(num_frames_retain, int) or num_frames_retain < 0:
            raise ValueError(f'{name}: num_frames_retain must be an int >= 0,'
                             f' got {num_frames_retain!r}')
        if not 0.0 <= momentum < 1.0:
            raise ValueError(
                f'{name}: momentum must be in [0, 1), got {momentum!r}')
        if embed_weight < 0 or iou_weight < 0:
            raise ValueError(f'{name}: embed_weight and iou_weight must be '
                             f'>= 0, got {embed_weight!r}, {iou_weight!r}')
        if embed_weight == 0 and iou_weight == 0:
            raise ValueError(f'{name}: embed_weight and iou_weight are both 0;'
                             ' nothing to associate instances with')
        self.det_score_thr = det_score_thr
        self.init_score_thr = init_score_thr
        self.max_per_frame = max_per_frame
        self.match_thr = match_thr
        self.embed_weight = embed_weight
        self.iou_weight = iou_weight
        self.label_bonus = label_bonus
        self.momentum = momentum
        self.dedup_iou_thr = dedup_iou_thr
        super().__init__(momentums=None, num_frames_retain=num_frames_retain)

    @property
    def with_embeddings(self) -> bool:
        """bool: Whether the similarity uses instance embeddings."""
        return self.embed_weight > 0

    @property
    def with_masks(self) -> bool:
        """bool: Whether the similarity uses mask IoU."""
        return self.iou_weight > 0

    def reset(self) -> None:
        """Start a new video: forget all tracks, ids restart at 0."""
        super().reset()
        self.last_frame_id: Optional[int] = None

    def track(self, data_sample: DetDataSample, **kwargs) -> InstanceData:
        """Associate the instances of one frame with the live tracks.

        Args:
            data_sample (DetDataSample): One frame. ``metainfo['frame_id']``
                is its index in the video; ``pred_instances`` holds ``masks``
                (N, H, W), ``scores`` (N,), ``labels`` (N,), optionally
                ``bboxes`` (N, 4) xyxy (else computed from the masks) and,
                when ``embed_weight > 0``, ``embeddings`` (N, D).

        Returns:
            InstanceData: The K instances of this frame that belong to a track
            (matched or new), highest score first: ``masks`` (K, H, W),
            ``bboxes`` (K, 4), ``scores`` (K,), ``labels`` (K,) (the track's
            voted category) and ``instances_id`` (K,) long, on the device of
            the input.
        """
        frame_id = self._check_frame_id(data_sample)
        dets = self._select_detections(data_sample)
        rles = encode_masks_rle(dets['masks']) if self.with_masks else None
        self.pop_invalid_tracks(frame_id - 1)

        ids = self._assign_ids(dets, rles)
        keep = np.flatnonzero(ids >= 0)
        dets = _take(dets, torch.from_numpy(keep))
        ids = torch.from_numpy(ids[keep]).to(dets['scores'].device)
        if rles is not None:
            rles = [rles[i] for i in keep]
        self.update(
            ids=ids,
            embeddings=dets.get('embeddings'),
            masks=rles,
            labels=dets['labels'],
            scores=dets['scores'],
            frame_ids=frame_id)

        voted = [self.voted_label(i) for i in ids.tolist()]
        return InstanceData(
            masks=dets['masks'],
            bboxes=dets['bboxes'],
            scores=dets['scores'],
            labels=torch.tensor(
                voted, dtype=torch.long, device=dets['labels'].device),
            instances_id=ids)

    def voted_label(self, track_id: int) -> int:
        """The category with the largest score sum over a track's frames."""
        votes = self.tracks[track_id].label_votes
        return max(votes, key=votes.get)

    def _check_frame_id(self, data_sample: DetDataSample) -> int:
        """Read ``frame_id`` and check it increases within the video."""
        name = type(self).__name__
        if 'frame_id' not in data_sample.metainfo:
            raise KeyError(f"{name}.track: data_sample.metainfo has no "
                           "'frame_id'")
        frame_id = int(data_sample.metainfo['frame_id'])
        if self.last_frame_id is not None and frame_id <= self.last_frame_id:
            raise ValueError(
                f'{name}.track: frame_id {frame_id} does not follow the '
                f'previous frame_id {self.last_frame_id}; call reset() '
                'before each new video')
        self.last_frame_id = frame_id
        return frame_id

    def _select_detections(self,
                           data_sample: DetDataSample) -> Dict[str, Tensor]:
        """Keep the top ``max_per_frame`` instances above ``det_score_thr``
        that are not duplicates (suppressed first, then cut).

        Returns:
            dict[str, Tensor]: ``masks`` (N, H, W), ``bboxes`` (N, 4),
            ``scores`` (N,), ``labels`` (N,) and, when used, ``embeddings``
            (N, D), sorted by decreasing score.
        """
        name = type(self).__name__
        if 'pred_instances' not in data_sample:
            raise KeyError(f'{name}.track: data_sample has no pred_instances')
        pred = data_sample.pred_instances
        for key in ('masks', 'scores', 'labels'):
            if key not in pred:
                raise KeyError(f"{name}.track: pred_instances has no '{key}'")
        masks = pred.masks
        if not isinstance(masks, Tensor) or masks.dim() != 3:
            raise ValueError(f'{name}.track: pred_instances.masks must be a '
                             '(N, H, W) tensor, got '
                             f'{getattr(masks, "shape", type(masks))}')
        dets = dict(
            masks=masks,
            bboxes=pred.bboxes if 'bboxes' in pred else mask2bbox(masks),
            scores=pred.scores,
            labels=pred.labels)
        if self.with_embeddings:
            if 'embeddings' in pred:
                dets['embeddings'] = F.normalize(
                    pred.embeddings.float(), dim=1)
            elif len(masks) == 0:
                dets['embeddings'] = pred.scores.new_zeros((0, 0))
            else:
                raise KeyError(
                    f"{name}.track: pred_instances has no 'embeddings' "
                    f'(N, D) but embed_weight={self.embed_weight}')
        scores = dets['scores']
        order = torch.argsort(scores, descending=True, stable=True)
        num_kept = int((scores >= self.det_score_thr).sum())
        order = order[:num_kept]
        if self.dedup_iou_thr is not None and num_kept > 1:
            order = order[_suppress_duplicates(masks[order],
                                               self.dedup_iou_thr)]
        return _take(dets, order[:self.max_per_frame])

    def _similarity(self, dets: Dict[str, Tensor], rles: Optional[List[dict]],
                    track_ids: List[int]) -> Tensor:
        """Similarity s (N, M) of the instances to the live tracks."""
        scores = dets['scores']
        sim = scores.new_zeros((len(scores), len(track_ids)),
                               dtype=torch.float32)
        tracks = [self.tracks[i] for i in track_ids]
        if self.with_embeddings:
            x = dets['embeddings']  # (N, D), unit rows
            memory = torch.cat([t.embeddings for t in tracks])  # (M, D)
            if memory.shape[1] != x.shape[1]:
                raise ValueError(
                    f'{type(self).__name__}.track: embeddings have D='
                    f'{x.shape[1]} but the tracks hold D={memory.shape[1]}')
            sim += self.embed_weight * (x @ memory.to(x.device).t())
        if self.with_masks:
            ious = mask_iou_rle(rles, [t.masks for t in tracks])  # (N, M)
            sim += self.iou_weight * torch.as_tensor(
                ious, dtype=sim.dtype, device=sim.device)
        if self.label_bonus:
            labels = dets['labels']
            track_labels = labels.new_tensor(
                [self.voted_label(i) for i in track_ids])
            same = labels[:, None] == track_labels[None]  # (N, M)
            sim += self.label_bonus * same.to(sim.dtype)
        return sim

    def _assign_ids(self, dets: Dict[str, Tensor],
                    rles: Optional[List[dict]]) -> np.ndarray:
        """Track id (N,) int64 per instance; -1 for one left without track.

        Done on the host: N and M are small, and this avoids tiny indexing
        kernels on the device.
        """
        scores = dets['scores'].detach().cpu().numpy()
        ids = np.full(len(scores), -1, dtype=np.int64)
        track_ids = self.ids
        if len(scores) > 0 and len(track_ids) > 0:
            sim = self._similarity(dets, rles, track_ids)
            rows, cols = match_by_similarity(sim.cpu().numpy(), self.match_thr)
            ids[rows] = np.asarray(track_ids, dtype=np.int64)[cols]
        new = (ids < 0) & (scores >= self.init_score_thr)
        num_new = int(new.sum())
        ids[new] = np.arange(self.num_tracks, self.num_tracks + num_new)
        self.num_tracks += num_new
        return ids

    def init_track(self, id: int, obj: Tuple) -> None:
        """Start track ``id`` from one instance (a tuple in memo order)."""
        track = AttrDict(label_votes=dict())
        self.tracks[id] = track
        self._absorb(track, dict(zip(self.memo_items, obj)), first=True)

    def update_track(self, id: int, obj: Tuple) -> None:
        """Add one instance (a tuple in memo order) to track ``id``."""
        self._absorb(self.tracks[id], dict(zip(self.memo_items, obj)))

    def _absorb(self, track: AttrDict, item: Dict, first: bool = False):
        """Fold one instance into a track's bounded state, in place."""
        if 'embeddings' in item:
            x = item['embeddings'][None]  # (1, D), unit norm
            if first:  # a copy, not a view keeping the (N, D) frame tensor
                track.embeddings = x.clone()
            else:
                track.embeddings = F.normalize(
                    self.momentum * track.embeddings + (1 - self.momentum) * x,
                    dim=1)
        if 'masks' in item:
            track.masks = item['masks']
        label = int(item['labels'])
        track.label_votes[label] = (
            track.label_votes.get(label, 0.0) + float(item['scores']))
        track.last_frame = int(item['frame_ids'])

    def pop_invalid_tracks(self, frame_id: int) -> None:
        """Drop the tracks unmatched for more than ``num_frames_retain``
        frames by the end of frame ``frame_id``."""
        for track_id in [
                i for i, t in self.tracks.items()
                if frame_id - t.last_frame > self.num_frames_retain
        ]:
            self.tracks.pop(track_id)
