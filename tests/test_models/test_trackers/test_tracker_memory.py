# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The memory of a long video stays bounded: a track holds O(D) numbers
and its last mask's RLE, whatever the number of frames."""
import copy
import gc
import random
import sys
import tracemalloc

import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker


def synthetic_stream(num_frames, dim=64, seed=0, size=32, slots=4):
    """Yield DetDataSamples of a size x size video: one object lives through
    the whole stream (identity 0, hidden at times for <= 5 frames); the other
    slots hold objects that come and go, each life a fresh identity, with
    absences both shorter and longer than 10 frames."""
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    persistent = F.normalize(torch.randn(dim, generator=gen), dim=0)
    slot_state = [None] * slots  # per slot: [embedding, frames left, label]
    slot_wait = [0] * slots
    hidden_until = -1
    for t in range(num_frames):
        embs, masks, scores, labels = [], [], [], []
        if t % 97 == 50:
            hidden_until = t + rng.randint(1, 5)
        if t > hidden_until:
            embs.append(persistent)
            mask = torch.zeros(size, size, dtype=torch.bool)
            x = (t // 3) % (size - 8)
            mask[2:10, x:x + 8] = True
            masks.append(mask)
            scores.append(0.9)
            labels.append(0)
        for s in range(1, slots):
            if slot_state[s] is None:
                if slot_wait[s] > 0:
                    slot_wait[s] -= 1
                    continue
                slot_state[s] = [
                    F.normalize(torch.randn(dim, generator=gen), dim=0),
                    rng.randint(5, 120),
                    rng.randrange(3)
                ]
            emb, left, label = slot_state[s]
            embs.append(emb)
            mask = torch.zeros(size, size, dtype=torch.bool)
            y = 8 * s if 8 * s + 6 <= size else 0
            x = (t + 7 * s) % (size - 6)
            mask[y:y + 6, x:x + 6] = True
            masks.append(mask)
            scores.append(0.6 + 0.1 * (s % 3))
            labels.append(label)
            slot_state[s][1] -= 1
            if slot_state[s][1] == 0:
                slot_state[s] = None
                slot_wait[s] = rng.choice([0, 3, 12, 40])
        n = len(scores)
        pred = InstanceData(
            masks=torch.stack(masks) if n else torch.zeros(
                (0, size, size), dtype=torch.bool),
            scores=torch.tensor(scores, dtype=torch.float32),
            labels=torch.tensor(labels, dtype=torch.long),
            bboxes=torch.zeros((n, 4)),
            embeddings=F.normalize(
                torch.stack(embs) + 0.02 * torch.randn(n, dim, generator=gen),
                dim=1) if n else torch.zeros((0, dim)))
        sample = DetDataSample(metainfo=dict(frame_id=t))
        sample.pred_instances = pred
        yield sample, t > hidden_until


def state_nbytes(tracker):
    """Bytes of the tensors (their whole storage: a view keeps its base
    alive) and RLE strings held by the tracks."""
    total = 0
    for track in tracker.tracks.values():
        for value in track.values():
            if isinstance(value, torch.Tensor):
                total += value.untyped_storage().nbytes()
            elif isinstance(value, dict) and 'counts' in value:
                total += len(value['counts'])
            elif isinstance(value, dict):
                total += 16 * len(value)
            elif isinstance(value, list):  # a history would land here
                total += sum(
                    v.numel() *
                    v.element_size() if isinstance(v, torch.Tensor) else 64
                    for v in value)
    return total


def traced_size(obj):
    """Bytes of Python memory (objects, RLE strings) that ``obj`` holds,
    measured with tracemalloc as the allocations of a deep copy of it."""
    tracemalloc.start()
    try:
        clone = copy.deepcopy(obj)
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del clone
    return size


def measure_stream(tracker, num_frames, every=1000):
    """Track the stream, dropping every output at once; every ``every``
    frames record the tracker's traced size, its tensor/RLE state size, its
    live track count and the Python blocks allocated in the whole process.
    The persistent object must keep id 0 and ids must be unique per frame.
    """
    size, state, live, blocks = [], [], [], []
    tracker.reset()
    gc.collect()
    gc.freeze()  # what exists now is not scanned again: fast collections
    for sample, persistent_visible in synthetic_stream(num_frames):
        t = sample.metainfo['frame_id']
        out = tracker.track(sample)
        ids = out.instances_id.tolist()
        assert len(set(ids)) == len(ids)
        if persistent_visible:
            assert ids[0] == 0, f'frame {t}'  # highest score comes first
        del out, sample
        if (t + 1) % every == 0:
            gc.collect()
            blocks.append(sys.getallocatedblocks())
            size.append(traced_size(tracker))
            state.append(state_nbytes(tracker))
            live.append(len(tracker.tracks))
    gc.unfreeze()
    return size, state, live, blocks


class HistoryKeepingTracker(EmbeddingTracker):
    """Keeps every mask of a track, as BaseTracker's list buffers would: the
    measurement below must see this growth."""

    def update_track(self, id, obj):
        super().update_track(id, obj)
        self.tracks[id].setdefault('history', []).append(
            dict(zip(self.memo_items, obj))['masks'])


# A leak of one Python object every 8 frames is caught; torch itself keeps
# a few small blocks when tensors are built (well under this).
MAX_BLOCKS_PER_FRAME = 1 / 8


def test_memory_bounded_over_10000_frames():
    tracker = EmbeddingTracker(iou_weight=0.5, label_bonus=0.1)
    size, state, live, blocks = measure_stream(tracker, 10_000)
    assert tracker.num_tracks > 100  # tracks were created and dropped
    assert max(live) <= 12
    # Per track: one (1, 64) float memory, one small RLE, at most 3 category
    # sums, and the Python objects that hold them; nothing else.
    assert max(state) <= max(live) * (64 * 4 + 64 + 3 * 16)
    for n, nbytes in zip(live, size):
        assert nbytes <= 2048 + n * 4096, (live, size)
    # Nothing else in the process grows with the frame count (the outputs,
    # dropped at once, must not be kept anywhere either).
    growth = blocks[-1] - blocks[1]  # frame 2000 to frame 10000
    assert growth < MAX_BLOCKS_PER_FRAME * 8000, blocks


def test_memory_measurement_detects_history():
    size, state, live, blocks = measure_stream(
        HistoryKeepingTracker(iou_weight=0.5), 2000)
    assert size[-1] > 2048 + live[-1] * 4096, size
    assert state[-1] > state[0]
    assert blocks[-1] - blocks[0] > MAX_BLOCKS_PER_FRAME * 1000, blocks
