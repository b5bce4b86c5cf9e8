# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Online tracker that links per-frame instances by embedding similarity.

Shape shorthand (one frame at a time):
    N: instances of the current frame kept after the score filter
    M: live tracks
    D: embedding dimension
    H, W: mask size

A track holds O(D + C) numbers plus one compressed mask, whatever the length
of the video: its embedding memory m (D,), the frame it was last matched
at, a running score sum per category (C categories seen so far) and, when
mask IoU is part of the similarity, its last mask as a COCO RLE. The numbers
of all live tracks are the rows of a few tensors (:class:`TrackState`), so
a frame costs a handful of tensor ops whatever M and N are; BaseTracker's
per-track record only holds the RLE.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmdet.models.trackers import BaseTracker
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData
from torch import Tensor

from mmsolotrack.models.utils.mask_boxes import mask_boxes
from mmsolotrack.registry import MODELS
from .association import encode_masks_rle, mask_iou_rle, match_by_similarity
from .mask_nms import suppress_duplicates
from .track_state import TrackState, TrackView


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
        dedup_stride (int): Duplicate suppression counts the mask pixels
            at every ``dedup_stride``-th row and column (IoU on that grid,
            about ``dedup_stride`` ** 2 fewer pixels); 1 counts them all
            (exact). Defaults to 1.
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
                 dedup_iou_thr: Optional[float] = None,
                 dedup_stride: int = 1) -> None:
        name = type(self).__name__
        if not isinstance(dedup_stride, int) or dedup_stride < 1:
            raise ValueError(f'{name}: dedup_stride must be an int >= 1, '
                             f'got {dedup_stride!r}')
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
        self.dedup_stride = dedup_stride
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
        """Start a new video: forget all tracks, ids restart at 0.

        BaseTracker's ``reset`` is not called: its ``tracks`` dict is a
        view of :attr:`state` and :attr:`records` here.
        """
        self.num_tracks = 0
        self.state = TrackState()
        self.records: Dict[int, dict] = {}
        self.last_frame_id: Optional[int] = None

    @property
    def tracks(self) -> TrackView:
        """TrackView: the live tracks as ``{id: record}``."""
        return TrackView(self.state, self.records)

    @property
    def ids(self) -> List[int]:
        """list[int]: The ids of the live tracks, increasing."""
        return self.state.ids.tolist()

    @property
    def empty(self) -> bool:
        """bool: Whether no track is live."""
        return len(self.state) == 0

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
        order, dets = self._select_detections(data_sample)
        pred = data_sample.pred_instances
        masks = pred.masks
        rles = encode_masks_rle(_rows(masks, order)) \
            if self.with_masks else None
        self.pop_invalid_tracks(frame_id - 1)

        ids = self._assign_ids(dets, rles)
        keep = torch.from_numpy(np.flatnonzero(ids >= 0))
        ids = torch.from_numpy(ids[keep.numpy()]).to(dets['scores'].device)
        dets = {k: v[keep.to(v.device)] for k, v in dets.items()}
        self.update(
            ids=ids,
            embeddings=dets.get('embeddings'),
            masks=[rles[i]
                   for i in keep.tolist()] if rles is not None else None,
            labels=dets['labels'],
            scores=dets['scores'],
            frame_ids=frame_id)

        kept_masks = _rows(masks, order[keep.to(order.device)])
        bboxes = pred.bboxes[order[keep.to(order.device)].to(
            pred.bboxes.device)] if 'bboxes' in pred else mask_boxes(
                kept_masks)
        voted = self.state.voted_labels(self.state.rows(ids.cpu().numpy()))
        return InstanceData(masks=kept_masks,
                            bboxes=bboxes,
                            scores=dets['scores'],
                            labels=torch.from_numpy(voted).to(
                                dets['labels'].device),
                            instances_id=ids)

    def voted_label(self, track_id: int) -> int:
        """The category with the largest score sum over a track's frames
        (among equal sums, the one seen first)."""
        if track_id not in self.records:
            raise KeyError(track_id)
        rows = self.state.rows(np.array([track_id]))
        return int(self.state.voted_labels(rows)[0])

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

    def _select_detections(
            self,
            data_sample: DetDataSample) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Keep the top ``max_per_frame`` instances above ``det_score_thr``
        that are not duplicates (suppressed first, then cut).

        Returns:
            tuple[Tensor, dict[str, Tensor]]: ``order`` (N,) long, the kept
            rows of ``pred_instances`` by decreasing score, and their
            ``scores`` (N,), ``labels`` (N,) and, when used, unit
            ``embeddings`` (N, D). The masks are not copied here.
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
        dets = dict(scores=pred.scores, labels=pred.labels)
        if self.with_embeddings:
            if 'embeddings' in pred:
                dets['embeddings'] = F.normalize(pred.embeddings.float(),
                                                 dim=1)
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
            order = order[suppress_duplicates(
                _rows(masks, order), self.dedup_iou_thr,
                self.dedup_stride).to(order.device)]
        order = order[:self.max_per_frame]
        return order, {k: v[order.to(v.device)] for k, v in dets.items()}

    def _similarity(self, dets: Dict[str, Tensor],
                    rles: Optional[List[dict]]) -> Tensor:
        """Similarity s (N, M) of the instances to the live tracks."""
        scores = dets['scores']
        sim = scores.new_zeros((len(scores), len(self.state)),
                               dtype=torch.float32)
        if self.with_embeddings:
            x = dets['embeddings']  # (N, D), unit rows
            memory = self.state.memory  # (M, D)
            if memory.shape[1] != x.shape[1]:
                raise ValueError(
                    f'{type(self).__name__}.track: embeddings have D='
                    f'{x.shape[1]} but the tracks hold D={memory.shape[1]}')
            sim += self.embed_weight * (x @ memory.to(x.device).t())
        if self.with_masks:
            last = [self.records[i]['masks'] for i in self.ids]
            ious = mask_iou_rle(rles, last)  # (N, M)
            sim += self.iou_weight * torch.as_tensor(
                ious, dtype=sim.dtype, device=sim.device)
        if self.label_bonus:
            labels = dets['labels']
            track_labels = torch.from_numpy(self.state.voted_labels()).to(
                labels.device)
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
        if len(scores) > 0 and len(self.state) > 0:
            sim = self._similarity(dets, rles)
            rows, cols = match_by_similarity(sim.cpu().numpy(), self.match_thr)
            ids[rows] = self.state.ids[cols]
        new = (ids < 0) & (scores >= self.init_score_thr)
        num_new = int(new.sum())
        ids[new] = np.arange(self.num_tracks, self.num_tracks + num_new)
        self.num_tracks += num_new
        return ids

    def update(self,
               ids: Tensor,
               labels: Tensor,
               scores: Tensor,
               frame_ids: int,
               embeddings: Optional[Tensor] = None,
               masks: Optional[List[dict]] = None) -> None:
        """Fold one frame's K tracked instances into the tracks.

        The state tensors are updated at once (:meth:`TrackState.fold`);
        then, as in BaseTracker, ``init_track`` / ``update_track`` see each
        instance as a tuple in ``memo_items`` order (ids, masks (the RLE,
        when stored), labels, scores, frame_ids, as Python values) to keep
        the per-track record; last, the tracks unmatched for more than
        ``num_frames_retain`` frames by ``frame_ids`` are dropped.

        Args:
            ids (Tensor): (K,) long track ids, unique.
            labels (Tensor): (K,) long.
            scores (Tensor): (K,) float.
            frame_ids (int): The frame.
            embeddings (Tensor, optional): (K, D) unit embeddings.
            masks (list[dict], optional): K RLEs of the masks.
        """
        frame_id = int(frame_ids)
        ids = ids.cpu().numpy()
        labels = labels.cpu().numpy().astype(np.int64)
        scores = scores.detach().cpu().numpy()
        self.state.fold(ids, labels, scores, frame_id,
                        embeddings if self.with_embeddings else None,
                        self.momentum)
        items = dict(ids=ids.tolist(),
                     masks=masks,
                     labels=labels.tolist(),
                     scores=scores.tolist(),
                     frame_ids=[frame_id] * len(ids))
        items = {k: v for k, v in items.items() if v is not None}
        self.memo_items = list(items)
        records = self.records
        for obj in zip(*items.values()):
            if obj[0] in records:
                self.update_track(obj[0], obj)
            else:
                self.init_track(obj[0], obj)
        self.pop_invalid_tracks(frame_id)

    def init_track(self, id: int, obj: Tuple) -> None:
        """Start the record of track ``id`` from one instance (a tuple in
        ``memo_items`` order)."""
        self.records[id] = {}
        self._store(id, obj)

    def update_track(self, id: int, obj: Tuple) -> None:
        """Add one instance (a tuple in ``memo_items`` order) to the record
        of track ``id``."""
        self._store(id, obj)

    def _store(self, id: int, obj: Tuple) -> None:
        """Keep the instance's mask RLE (the last one) in the record."""
        if len(obj) == 5:  # memo_items hold 'masks'
            self.records[id]['masks'] = obj[1]

    def pop_invalid_tracks(self, frame_id: int) -> None:
        """Drop the tracks unmatched for more than ``num_frames_retain``
        frames by the end of frame ``frame_id``."""
        stale = frame_id - self.state.last_frame > self.num_frames_retain
        if bool(stale.any()):
            for track_id in self.state.ids[stale].tolist():
                del self.records[track_id]
            self.state.keep(~stale)


def _rows(masks: Tensor, index: Tensor) -> Tensor:
    """Rows ``index`` (K,) of (N, H, W) ``masks``: a view when ``index``
    is 0, 1, ..., K - 1 (SOLO's masks come sorted by score), else a copy.

    Plain indexing, not ``index_select``: on CPU, ``index_select`` of
    (N, H, W) bool masks is about 100x slower (0.8 s vs 8 ms for 100 masks
    of 160 x 256).
    """
    index = index.to(masks.device)
    if torch.equal(index, torch.arange(len(index), device=index.device)):
        return masks[:len(index)]
    return masks[index]
