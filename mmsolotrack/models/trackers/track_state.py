# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The live tracks of :class:`EmbeddingTracker` as a few tensors.

Shape shorthand:
    M: live tracks, in increasing id order (the order they were started)
    K: instances folded into the tracks in one frame
    D: embedding dimension
    C: categories seen so far (labels 0 .. C - 1)

One row per live track: ``ids`` (M,) int64, ``memory`` (M, D) float (None
while no embedding was folded, or for a tracker without embeddings),
``last_frame`` (M,) int64, ``label_sums`` (M, C) float64 (the running score
sum per category, summed in the order of the frames, in float64 as Python
floats would be) and ``label_first`` (M, C) int64 (the frame a category was
first voted for, -1 if never), which breaks ties between equal sums in
favour of the category seen first.

:class:`TrackView` shows the rows as BaseTracker's ``{id: track}`` dict,
for inspection.
"""
from collections.abc import Mapping, MutableMapping
from typing import Dict, Iterator, Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor


class TrackState:
    """The rows of the live tracks (see the module doc): ``memory`` is a
    tensor on the embeddings' device, the bookkeeping (``ids``,
    ``last_frame``, ``label_sums``, ``label_first``) numpy arrays on the
    host, where indexing a few rows costs a microsecond, not ten."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)
        self.memory: Optional[Tensor] = None
        self.last_frame = np.zeros(0, dtype=np.int64)
        self.label_sums = np.zeros((0, 0), dtype=np.float64)
        self.label_first = np.zeros((0, 0), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """(K,) int64 rows of the live tracks ``ids`` (K,) int64."""
        return np.searchsorted(self.ids, ids)

    def keep(self, keep: np.ndarray) -> None:
        """Keep the rows where ``keep`` (M,) bool is True."""
        self.ids = self.ids[keep]
        self.last_frame = self.last_frame[keep]
        self.label_sums = self.label_sums[keep]
        self.label_first = self.label_first[keep]
        if self.memory is not None:
            self.memory = self.memory[torch.from_numpy(keep).to(
                self.memory.device)]

    def fold(self, ids: np.ndarray, labels: np.ndarray, scores: np.ndarray,
             frame_id: int, embeddings: Optional[Tensor],
             momentum: float) -> None:
        """Fold one frame's instances into their tracks; ids not live yet
        start tracks (they must be larger than every live id).

        Args:
            ids (np.ndarray): (K,) int64 track id per instance, unique.
            labels (np.ndarray): (K,) int64.
            scores (np.ndarray): (K,) float, summed as float64.
            frame_id (int): The frame of the instances.
            embeddings (Tensor, optional): (K, D) unit embeddings; a
                matched memory becomes normalise(a m + (1 - a) x),
                a = ``momentum``; a new one is x.
            momentum (float): a.
        """
        m = len(self.ids)
        rows = self.rows(ids)
        live = rows < m
        live[live] = self.ids[rows[live]] == ids[live]
        old = np.flatnonzero(live)
        new = np.flatnonzero(~live)
        new = new[np.argsort(ids[new], kind='stable')]  # appended in id order
        self._grow(int(labels.max()) + 1 if len(labels) else 0, len(new))
        rows[new] = np.arange(m, m + len(new))
        self.ids[rows[new]] = ids[new]
        self.last_frame[rows] = frame_id
        first = self.label_first[rows, labels]
        self.label_first[rows, labels] = np.where(first < 0, frame_id, first)
        self.label_sums[rows, labels] += scores.astype(np.float64)
        if embeddings is not None and len(ids):
            device = embeddings.device
            self._fold_memory(
                torch.from_numpy(rows[old]).to(device),
                embeddings[torch.from_numpy(old).to(device)],
                embeddings[torch.from_numpy(new).to(device)], momentum)

    def _grow(self, num_labels: int, num_new: int) -> None:
        """Append ``num_new`` empty rows; widen the label columns to
        ``num_labels``."""
        m, c = self.label_sums.shape
        c_new = max(c, num_labels)
        if num_new == 0 and c_new == c:
            return
        sums = np.zeros((m + num_new, c_new), dtype=np.float64)
        sums[:m, :c] = self.label_sums
        first = np.full((m + num_new, c_new), -1, dtype=np.int64)
        first[:m, :c] = self.label_first
        self.label_sums, self.label_first = sums, first
        self.ids = np.concatenate([self.ids, np.zeros(num_new, np.int64)])
        self.last_frame = np.concatenate(
            [self.last_frame, np.zeros(num_new, np.int64)])

    def _fold_memory(self, rows: Tensor, x_old: Tensor, x_new: Tensor,
                     momentum: float) -> None:
        """m <- normalise(a m + (1 - a) x) for ``rows`` (K_old,), then
        append the new tracks' (K_new, D) memories."""
        if self.memory is None:
            self.memory = x_new.new_zeros((0, x_new.shape[1]))
        if self.memory.shape[1] != x_old.shape[1]:
            raise ValueError(
                f'EmbeddingTracker.track: embeddings have D={x_old.shape[1]}'
                f' but the tracks hold D={self.memory.shape[1]}')
        memory = self.memory
        if len(rows):
            memory[rows] = F.normalize(momentum * memory[rows] +
                                       (1 - momentum) * x_old,
                                       dim=1)
        if len(x_new):
            memory = torch.cat([memory, x_new])
        self.memory = memory

    def voted_labels(self, rows: Optional[np.ndarray] = None) -> np.ndarray:
        """(K,) int64 category with the largest score sum of each row (all
        rows if None); among equal sums, the one voted for first."""
        sums, first = self.label_sums, self.label_first
        if rows is not None:
            sums, first = sums[rows], first[rows]
        if len(sums) == 0:
            return np.zeros(0, dtype=np.int64)
        seen = first >= 0
        sums = np.where(seen, sums, -np.inf)
        best = seen & (sums == sums.max(1, keepdims=True))
        big = np.iinfo(np.int64).max
        return np.where(best, first, big).argmin(1)


class TrackEntry(MutableMapping):
    """One live track as read through :class:`TrackView`: the computed
    fields (read-only) over the track's record (where writes go).

    Items (and attributes) are ``embeddings`` (1, D) (a copy of the memory
    row; absent without embeddings), ``label_votes`` ({label: score sum},
    in the order the labels were first seen), ``last_frame`` (int), then
    the record's: ``masks`` (the last mask's RLE, when stored) and whatever
    a subclass keeps there in ``init_track`` / ``update_track``.
    """

    def __init__(self, fields: dict, record: dict) -> None:
        self._fields = fields
        self._record = record

    def __getitem__(self, key):
        if key in self._fields:
            return self._fields[key]
        return self._record[key]

    def __setitem__(self, key, value) -> None:
        if key in self._fields:
            raise KeyError(f'{key!r} is computed from the tracker state')
        self._record[key] = value

    def __delitem__(self, key) -> None:
        del self._record[key]

    def __iter__(self) -> Iterator:
        yield from self._fields
        yield from (k for k in self._record if k not in self._fields)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class TrackView(Mapping):
    """The live tracks as BaseTracker's ``{id: track}`` (the tracker's
    ``tracks``): ``view[id]`` is a :class:`TrackEntry` built from the state
    tensors and the track's record when it is read. For inspection: the
    tracker itself never reads it.
    """

    def __init__(self, state: TrackState, records: Dict[int, dict]) -> None:
        self._state = state
        self._records = records

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[int]:
        return iter(self._state.ids.tolist())

    def __contains__(self, track_id) -> bool:
        return track_id in self._records

    def __getitem__(self, track_id: int) -> TrackEntry:
        record = self._records[track_id]
        state = self._state
        row = int(state.rows(np.array([track_id]))[0])
        fields = {}
        if state.memory is not None:
            fields['embeddings'] = state.memory[row:row + 1].clone()
        first = state.label_first[row]
        seen = np.flatnonzero(first >= 0)
        seen = seen[np.argsort(first[seen])].tolist()
        fields['label_votes'] = {
            label: float(state.label_sums[row, label])
            for label in seen
        }
        fields['last_frame'] = int(state.last_frame[row])
        return TrackEntry(fields, record)
