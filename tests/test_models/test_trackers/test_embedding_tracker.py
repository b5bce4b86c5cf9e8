# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Scenario tests of the online trackers with synthetic objects of known
identity: every test checks the track ids exactly."""
import copy
import gc
import random
import sys
import tracemalloc

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch
import torch.nn.functional as F
from mmdet.evaluation import YouTubeVISMetric
from mmdet.structures import DetDataSample
from mmdet.visualization import TrackLocalVisualizer
from mmengine.structures import InstanceData

from mmsolotrack.models.trackers.association import match_by_similarity
from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker
from mmsolotrack.models.trackers.mask_iou_tracker import MaskIoUTracker

H = W = 64
SIZE = 16


def orthonormal_bank(num: int, dim: int, seed: int = 0) -> torch.Tensor:
    """(num, dim) orthonormal identity embeddings, num <= dim."""
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(dim, dim, generator=g))
    return q[:num].contiguous()


def square(x: int, y: int, size: int = SIZE, h: int = H, w: int = W):
    """(h, w) bool mask of a size x size square at top-left (x, y)."""
    mask = torch.zeros(h, w, dtype=torch.bool)
    mask[max(y, 0):max(y + size, 0), max(x, 0):max(x + size, 0)] = True
    return mask


def make_frame(frame_id, objs, bank=None, noise=0.05, gen=None, h=H, w=W):
    """A DetDataSample of one frame.

    Args:
        objs (list[tuple]): (identity, x, y, score, label) per instance.
        bank (Tensor | None): (num_ids, D) identity embeddings; None gives
            no ``embeddings`` field.
    """
    n = len(objs)
    masks = torch.zeros((n, h, w), dtype=torch.bool)
    for i, (_, x, y, _, _) in enumerate(objs):
        masks[i] = square(x, y, h=h, w=w)
    pred = InstanceData(
        masks=masks,
        scores=torch.tensor([o[3] for o in objs], dtype=torch.float32),
        labels=torch.tensor([o[4] for o in objs], dtype=torch.long),
        bboxes=torch.tensor([[o[1], o[2], o[1] + SIZE, o[2] + SIZE]
                             for o in objs],
                            dtype=torch.float32).reshape(n, 4))
    if bank is not None:
        emb = bank.new_zeros((n, bank.shape[1]))
        for i, o in enumerate(objs):
            emb[i] = bank[o[0]] + noise * torch.randn(
                bank.shape[1], generator=gen)
        pred.embeddings = F.normalize(emb, dim=1)
    sample = DetDataSample(metainfo=dict(frame_id=frame_id))
    sample.pred_instances = pred
    return sample


def run_video(tracker, video, bank=None, seed=0):
    """Track a video as the VIS model does; returns, per frame, the output
    and the map identity -> track id (identities are read back from the
    scores, which are unique within a frame and passed through)."""
    gen = torch.Generator().manual_seed(seed)
    outs, id_maps = [], []
    for frame_id, objs in enumerate(video):
        if frame_id == 0:
            tracker.reset()
        out = tracker.track(make_frame(frame_id, objs, bank, gen=gen))
        score_to_identity = {
            s: o[0]
            for s, o in zip(torch.tensor([o[3] for o in objs]).tolist(), objs)
        }
        assert len(score_to_identity) == len(objs)
        ids = out.instances_id.tolist()
        assert len(set(ids)) == len(ids), 'ids not unique within a frame'
        id_maps.append({
            score_to_identity[s]: i
            for s, i in zip(out.scores.tolist(), ids)
        })
        outs.append(out)
    return outs, id_maps


def assert_empty_output(out, h=H, w=W):
    assert out.masks.shape == (0, h, w)
    assert out.bboxes.shape == (0, 4)
    assert out.scores.shape == (0, ) and out.labels.shape == (0, )
    assert out.instances_id.shape == (0, )
    assert out.instances_id.dtype == torch.long
    assert out.labels.dtype == torch.long


# --------------------------------------------------------------------------
# Association scenarios
# --------------------------------------------------------------------------


@pytest.mark.parametrize('iou_weight', [0.0, 0.3])
def test_crossing_same_category_keeps_ids(iou_weight):
    # A moves right, B left, same label; their masks overlap from t=4 to
    # t=8 and are identical at t=6, then they have swapped sides.
    bank = orthonormal_bank(2, 32)
    video = [[(0, 4 + 4 * t, 24, 0.9, 0), (1, 52 - 4 * t, 24, 0.8, 0)]
             for t in range(13)]
    tracker = EmbeddingTracker(iou_weight=iou_weight)
    _, id_maps = run_video(tracker, video, bank)
    assert id_maps == [{0: 0, 1: 1}] * 13
    assert tracker.num_tracks == 2


def jump_swap_video(num_frames=8):
    # Two same-category objects trade places every frame; each jump (40 px)
    # is larger than the objects (16 px).
    return [[(0, 4 if t % 2 == 0 else 44, 24, 0.9, 0),
             (1, 44 if t % 2 == 0 else 4, 24, 0.8, 0)]
            for t in range(num_frames)]


def test_jump_swap_embedding_keeps_and_mask_iou_swaps():
    bank = orthonormal_bank(2, 32)
    video = jump_swap_video()

    _, emb_maps = run_video(EmbeddingTracker(), video, bank)
    assert emb_maps == [{0: 0, 1: 1}] * 8

    # The baseline never reads embeddings (the frames carry none) and gives
    # each object the id of whoever stood at its place the frame before.
    iou_tracker = MaskIoUTracker()
    _, iou_maps = run_video(iou_tracker, video, bank=None)
    assert iou_maps == [{0: 0, 1: 1}, {0: 1, 1: 0}] * 4
    assert iou_maps != emb_maps


def test_mask_iou_loses_object_jumping_farther_than_its_size():
    bank = orthonormal_bank(1, 32)
    # Six distinct places on a 3 x 2 grid, 20 px apart (objects are 16 px).
    video = [[(0, 2 + 20 * (t % 3), 2 + 20 * (t // 3), 0.9, 0)]
             for t in range(6)]
    _, emb_maps = run_video(EmbeddingTracker(), video, bank)
    _, iou_maps = run_video(MaskIoUTracker(), video)
    assert emb_maps == [{0: 0}] * 6
    assert iou_maps == [{0: t} for t in range(6)]


@pytest.mark.parametrize('with_companion', [False, True])
@pytest.mark.parametrize('gap,same_id', [(1, True), (5, True), (10, True),
                                         (11, False), (25, False)])
def test_hidden_object_gets_id_back_within_retain(gap, same_id,
                                                  with_companion):
    # A is seen in frames 0-4, hidden `gap` frames (empty frames unless B is
    # there), seen again for 3 frames. num_frames_retain = 10.
    bank = orthonormal_bank(2, 32)
    b = [(1, 40, 40, 0.8, 1)] if with_companion else []
    a = [(0, 4, 4, 0.9, 0)]
    video = [a + b] * 5 + [b] * gap + [a + b] * 3
    tracker = EmbeddingTracker(num_frames_retain=10)
    outs, id_maps = run_video(tracker, video, bank)

    b_id = 1 if with_companion else None
    a_back = 0 if same_id else (2 if with_companion else 1)
    for t, id_map in enumerate(id_maps):
        want = {}
        if t < 5 or t >= 5 + gap:
            want[0] = 0 if t < 5 else a_back
        if with_companion:
            want[1] = b_id
        assert id_map == want, f'frame {t}'
    if not with_companion:
        for out in outs[5:5 + gap]:
            assert_empty_output(out)
    assert tracker.num_tracks == (2 if with_companion else 1) + (not same_id)


def test_track_dropped_exactly_after_retain():
    bank = orthonormal_bank(1, 16)
    tracker = EmbeddingTracker(num_frames_retain=3)
    tracker.reset()
    gen = torch.Generator().manual_seed(0)
    tracker.track(make_frame(0, [(0, 4, 4, 0.9, 0)], bank, gen=gen))
    live = []
    for frame_id in range(1, 6):
        tracker.track(make_frame(frame_id, [], bank))
        live.append(sorted(tracker.tracks))
    # Missed 1, 2, 3 frames: kept; missed 4: dropped.
    assert live == [[0], [0], [0], [], []]


def test_all_empty_video_and_empty_first_frame():
    tracker = EmbeddingTracker()
    outs, id_maps = run_video(tracker, [[]] * 6, orthonormal_bank(1, 16))
    for out in outs:
        assert_empty_output(out)
        assert out.masks.dtype == torch.bool
    assert id_maps == [{}] * 6
    assert tracker.num_tracks == 0 and tracker.empty
    # A frame without the `embeddings` field is accepted when it is empty.
    tracker.reset()
    sample = make_frame(0, [], bank=None, h=7, w=9)
    assert_empty_output(tracker.track(sample), h=7, w=9)
    out = tracker.track(
        make_frame(1, [(0, 0, 0, 0.9, 3)], orthonormal_bank(1, 16)))
    assert out.instances_id.tolist() == [0] and out.labels.tolist() == [3]


def test_many_objects_shuffled_order():
    num_obj, num_frames = 100, 20
    bank = orthonormal_bank(num_obj, 128, seed=1)
    rng = random.Random(0)
    video = []
    for _ in range(num_frames):
        objs = [(k, rng.randrange(0, W - SIZE), rng.randrange(0, H - SIZE),
                 0.95 - 0.003 * k, k % 5) for k in range(num_obj)]
        rng.shuffle(objs)
        video.append(objs)
    tracker = EmbeddingTracker(max_per_frame=num_obj)
    _, id_maps = run_video(tracker, video, bank)
    # New tracks are numbered by decreasing score: identity k gets id k.
    identity = {k: k for k in range(num_obj)}
    assert id_maps == [identity] * num_frames
    assert tracker.num_tracks == num_obj


def test_ids_unique_across_video_with_churn():
    # Objects enter and leave for good; every life gets a fresh id, in
    # order of appearance, never reused.
    bank = orthonormal_bank(8, 32)
    lives = {k: range(3 * k, 3 * k + 6) for k in range(8)}
    video = [[(k, 4 * k, 8, 0.9 - 0.01 * k, 0) for k in lives if t in lives[k]]
             for t in range(30)]
    _, id_maps = run_video(EmbeddingTracker(num_frames_retain=2), video, bank)
    for t, id_map in enumerate(id_maps):
        assert id_map == {k: k for k in lives if t in lives[k]}


def test_reset_restarts_ids_and_forgets_tracks():
    bank = orthonormal_bank(2, 32)
    tracker = EmbeddingTracker()
    _, maps1 = run_video(tracker, [[(0, 0, 0, 0.9, 0),
                                    (1, 30, 30, 0.8, 0)]] * 3, bank)
    assert maps1 == [{0: 0, 1: 1}] * 3
    # Without reset the next video's frame 0 is refused.
    with pytest.raises(ValueError, match='reset'):
        tracker.track(make_frame(0, [], bank))
    # B alone first: with the old tracks still there it would take id 1.
    _, maps2 = run_video(
        tracker,
        [[(1, 30, 30, 0.8, 0)], [(0, 0, 0, 0.9, 0),
                                 (1, 30, 30, 0.8, 0)]], bank)
    assert maps2 == [{1: 0}, {0: 1, 1: 0}]
    tracker.reset()
    assert tracker.num_tracks == 0 and tracker.tracks == {}


def test_low_scores_continue_but_never_start_tracks():
    bank = orthonormal_bank(2, 32)
    video = [
        [(0, 4, 4, 0.4, 0)],  # below init_score_thr: no track
        [(0, 4, 4, 0.9, 0)],  # starts track 0
        [(0, 4, 4, 0.4, 0), (1, 40, 40, 0.45, 0)],  # A continues, B not
        [(0, 4, 4, 0.2, 0)],  # below det_score_thr: ignored, track ages
        [(0, 4, 4, 0.35, 0), (1, 40, 40, 0.25, 0)],
        [(1, 40, 40, 0.5, 0)],  # exactly init_score_thr: starts track 1
    ]
    tracker = EmbeddingTracker(det_score_thr=0.3, init_score_thr=0.5)
    outs, id_maps = run_video(tracker, video, bank)
    assert id_maps == [{}, {0: 0}, {0: 0}, {}, {0: 0}, {1: 1}]
    assert_empty_output(outs[3])
    assert tracker.num_tracks == 2


def reference_votes(history):
    """Score-weighted category vote after each frame, by brute force."""
    out = []
    for t in range(len(history)):
        sums = {}
        for label, score in history[:t + 1]:
            sums[label] = sums.get(label, 0.0) + score
        out.append(max(sums, key=sums.get))
    return out


def test_category_is_score_weighted_vote():
    bank = orthonormal_bank(1, 32)
    history = [(1, 0.9)] * 3 + [(2, 0.4)] + [(2, 0.9)] * 3 + [(1, 0.3)]
    video = [[(0, 4, 4, s, label)] for label, s in history]
    outs, id_maps = run_video(EmbeddingTracker(), video, bank)
    labels = [out.labels.item() for out in outs]
    assert labels == reference_votes(history)
    # 1 while 2 has only its one low score; 2 once its sum (3.1) passes
    # 2.7, and still 2 when 1 gets back to 3.0.
    assert labels == [1, 1, 1, 1, 1, 1, 2, 2]
    assert id_maps == [{0: 0}] * len(history)


def test_label_bonus_breaks_embedding_tie():
    emb = orthonormal_bank(1, 16)
    bank = emb.repeat(2, 1)  # two objects that look the same
    tracker = EmbeddingTracker(label_bonus=0.5)
    tracker.reset()
    first = make_frame(
        0, [(0, 0, 0, 0.9, 0), (1, 30, 30, 0.8, 1)], bank, noise=0.0)
    assert tracker.track(first).instances_id.tolist() == [0, 1]
    out = tracker.track(make_frame(1, [(1, 0, 0, 0.8, 1)], bank, noise=0.0))
    assert out.instances_id.tolist() == [1]


def test_memory_update_formula():
    g = torch.Generator().manual_seed(3)
    xs = F.normalize(torch.randn(4, 8, generator=g), dim=1)
    xs[1:] = F.normalize(xs[0] + 0.3 * xs[1:], dim=1)  # same object
    tracker = EmbeddingTracker(momentum=0.7)
    tracker.reset()
    memory = xs[0]
    for t in range(4):
        if t == 0:  # with a second object, opposite in embedding space
            sample = make_frame(0, [(0, 0, 0, 0.9, 0), (1, 9, 9, 0.8, 0)])
            sample.pred_instances.embeddings = torch.stack([xs[0], -xs[0]])
            assert tracker.track(sample).instances_id.tolist() == [0, 1]
            for track in tracker.tracks.values():
                # Own storage, not a view keeping the frame's (2, 8) alive.
                assert track.embeddings.untyped_storage().nbytes() == 4 * 8
        else:
            sample = make_frame(t, [(0, 0, 0, 0.9, 0)])
            sample.pred_instances.embeddings = xs[t:t + 1]
            assert tracker.track(sample).instances_id.tolist() == [0]
            memory = F.normalize(0.7 * memory + 0.3 * xs[t], dim=0)
        assert tracker.tracks[0].embeddings.shape == (1, 8)
        assert torch.allclose(
            tracker.tracks[0].embeddings[0], memory, atol=1e-6)


def test_score_filter_and_max_per_frame():
    g = torch.Generator().manual_seed(0)
    scores = torch.rand(30, generator=g)
    bank = orthonormal_bank(30, 32)
    objs = [(k, 0, 0, float(scores[k]), 0) for k in range(30)]
    tracker = EmbeddingTracker(
        det_score_thr=0.3, init_score_thr=0.3, max_per_frame=20)
    _, id_maps = run_video(tracker, [objs], bank)
    kept = sorted([k for k in range(30) if objs[k][3] >= 0.3],
                  key=lambda k: -objs[k][3])[:20]
    assert id_maps[0] == {k: i for i, k in enumerate(kept)}


def test_bboxes_from_masks_when_absent():
    tracker = EmbeddingTracker()
    tracker.reset()
    sample = make_frame(0, [(0, 5, 7, 0.9, 0)], orthonormal_bank(1, 16))
    del sample.pred_instances.bboxes
    out = tracker.track(sample)
    assert out.bboxes.tolist() == [[5, 7, 5 + SIZE, 7 + SIZE]]


def test_bad_inputs_raise_clear_errors():
    tracker = EmbeddingTracker()
    tracker.reset()
    with pytest.raises(KeyError, match='embeddings'):
        tracker.track(make_frame(0, [(0, 0, 0, 0.9, 0)], bank=None))
    with pytest.raises(KeyError, match='frame_id'):
        tracker.track(DetDataSample())
    tracker.reset()
    sample = make_frame(0, [(0, 0, 0, 0.9, 0)], orthonormal_bank(1, 16))
    sample.pred_instances.masks = torch.zeros(1, 4)
    with pytest.raises(ValueError, match=r'masks must be a \(N, H, W\)'):
        tracker.track(sample)
    with pytest.raises(ValueError, match='momentum'):
        EmbeddingTracker(momentum=1.0)
    with pytest.raises(ValueError, match='max_per_frame'):
        EmbeddingTracker(max_per_frame=0)
    with pytest.raises(ValueError, match='num_frames_retain'):
        EmbeddingTracker(num_frames_retain=-1)
    with pytest.raises(ValueError, match='both 0'):
        MaskIoUTracker(iou_weight=0.0)


def test_trackers_build_from_registry():
    from mmsolotrack.registry import MODELS
    tracker = MODELS.build(dict(type='EmbeddingTracker', match_thr=0.6))
    assert isinstance(tracker, EmbeddingTracker) and tracker.match_thr == 0.6
    tracker = MODELS.build(dict(type='MaskIoUTracker'))
    assert isinstance(tracker, MaskIoUTracker)
    assert tracker.embed_weight == 0 and tracker.iou_weight == 1.0


# --------------------------------------------------------------------------
# The outputs feed mmdet's YouTubeVISMetric and TrackLocalVisualizer as is
# --------------------------------------------------------------------------

# Two objects (labels 1 and 2); B is gone in frame 1, nobody in frame 2.
METRIC_VIDEO = [[(0, 4, 4, 0.9, 1), (1, 40, 30, 0.8, 2)], [(0, 8, 4, 0.9, 1)],
                [], [(0, 12, 4, 0.9, 1), (1, 36, 30, 0.7, 2)]]


def tracked_samples(video):
    """Per frame a DetDataSample with ``pred_track_instances`` as the VIS
    model would hand it to the metric and the visualizer."""
    tracker = EmbeddingTracker(iou_weight=0.2)
    outs, _ = run_video(tracker, video, orthonormal_bank(2, 32))
    samples = []
    for frame_id, out in enumerate(outs):
        sample = DetDataSample(
            metainfo=dict(
                frame_id=frame_id,
                video_id=7,
                img_id=70 + frame_id,
                ori_shape=(H, W)))
        sample.pred_track_instances = out
        samples.append(sample)
    return samples


def test_outputs_feed_youtube_vis_metric():
    video = METRIC_VIDEO
    samples = tracked_samples(video)
    metric = YouTubeVISMetric(format_only=True)
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    metric.process_video(samples)
    preds, _ = metric.results[0]
    assert sorted(p['category_id'] for p in preds) == [2, 3]
    for pred in preds:
        identity = pred['category_id'] - 2  # label 1 is A, label 2 is B
        assert pred['video_id'] == 7
        assert len(pred['segmentations']) == 4
        for frame_id, objs in enumerate(video):
            seg = pred['segmentations'][frame_id]
            here = [o for o in objs if o[0] == identity]
            if not here:
                assert seg is None
                continue
            want = square(here[0][1], here[0][2]).numpy()
            assert np.array_equal(mask_util.decode(seg).astype(bool), want)


def test_outputs_feed_track_visualizer(tmp_path):
    # TrackLocalVisualizer colours instances with seaborn.
    pytest.importorskip('seaborn')
    samples = tracked_samples(METRIC_VIDEO)
    visualizer = TrackLocalVisualizer(name=f'vis_{tmp_path.name}')
    visualizer.dataset_meta = dict(classes=('a', 'b', 'c'))
    out_file = tmp_path / 'frame0.jpg'
    visualizer.add_datasample(
        'frame0',
        np.zeros((H, W, 3), dtype=np.uint8),
        samples[0],
        draw_gt=False,
        out_file=str(out_file))
    assert out_file.stat().st_size > 0


# --------------------------------------------------------------------------
# Memory of a long video stays bounded
# --------------------------------------------------------------------------


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


def test_class_agnostic_duplicates_start_one_track():
    """One object segmented twice under two categories (SOLO's class-aware
    matrix NMS keeps both) gives one track; a distinct object still gets
    its own."""
    bank = orthonormal_bank(3, 8)
    tracker = EmbeddingTracker(init_score_thr=0.3, dedup_iou_thr=0.7)
    video = [[(0, 10, 10, 0.6, 1), (0, 10, 10, 0.5, 2), (1, 40, 40, 0.55, 1)]
             for _ in range(3)]
    for frame_id, objs in enumerate(video):
        if frame_id == 0:
            tracker.reset()
        out = tracker.track(make_frame(frame_id, objs, bank, noise=0.0))
        assert sorted(out.instances_id.tolist()) == [0, 1]
        assert sorted(out.scores.tolist()) == pytest.approx([0.55, 0.6])
    keep_all = EmbeddingTracker(init_score_thr=0.3)
    keep_all.reset()
    out = keep_all.track(make_frame(0, video[0], bank, noise=0.0))
    assert len(out) == 3


def _sample(frame_id, masks, scores, embeddings):
    """One frame from explicit (N, H, W) masks, scores and embeddings."""
    n = len(scores)
    sample = DetDataSample(metainfo=dict(frame_id=frame_id))
    sample.pred_instances = InstanceData(
        masks=masks,
        scores=torch.tensor(scores, dtype=torch.float32),
        labels=torch.zeros(n, dtype=torch.long),
        embeddings=torch.tensor(embeddings, dtype=torch.float32))
    return sample


def _masks(*boxes, h=8, w=8):
    """(N, h, w) bool masks, one per (x0, y0, x1, y1) box (exclusive)."""
    masks = torch.zeros((len(boxes), h, w), dtype=torch.bool)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        masks[i, y0:y1, x0:x1] = True
    return masks


def test_memory_momentum_weights_the_old_memory():
    """m <- normalise(a m + (1 - a) x): with a = 0.8 the memory stays close
    to the first embedding (an inverted momentum would move it to x)."""
    tracker = EmbeddingTracker(momentum=0.8, match_thr=-1.0)
    tracker.reset()
    tracker.track(_sample(0, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
    out = tracker.track(_sample(1, _masks((0, 0, 2, 2)), [0.9], [[0., 1.]]))
    assert out.instances_id.tolist() == [0]
    expected = F.normalize(torch.tensor([[0.8, 0.2]]), dim=1)
    torch.testing.assert_close(tracker.tracks[0].embeddings, expected)


def test_pair_at_exactly_match_thr_is_matched():
    assert match_by_similarity(np.array([[0.5]]), 0.5)[0].tolist() == [0]
    below = np.nextafter(0.5, 0.0)
    assert match_by_similarity(np.array([[below]]), 0.5)[0].tolist() == []
    # in the tracker: identical unit embeddings have similarity exactly 1
    for match_thr, ids in ((1.0, [0]), (np.nextafter(1.0, 2.0), [1])):
        tracker = EmbeddingTracker(match_thr=float(match_thr))
        tracker.reset()
        tracker.track(_sample(0, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
        out = tracker.track(
            _sample(1, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
        assert out.instances_id.tolist() == ids, match_thr


def test_duplicate_at_exactly_dedup_iou_thr_is_kept():
    # a 2 x 2 mask and the half of it: IoU exactly 0.5
    masks = _masks((0, 0, 2, 2), (0, 0, 1, 2))
    for thr, kept in ((0.5, [0, 1]), (float(np.nextafter(0.5, 0.0)), [0])):
        tracker = EmbeddingTracker(dedup_iou_thr=thr)
        tracker.reset()
        out = tracker.track(
            _sample(0, masks, [0.9, 0.8], [[1., 0.], [0., 1.]]))
        assert out.instances_id.tolist() == kept, thr


def test_duplicates_are_dropped_before_the_max_per_frame_cut():
    """A duplicate of the best instance must not take the place of a
    distinct object: suppress first, then keep ``max_per_frame``."""
    masks = _masks((0, 0, 3, 3), (0, 0, 3, 3), (5, 5, 8, 8))
    tracker = EmbeddingTracker(max_per_frame=2, dedup_iou_thr=0.7)
    tracker.reset()
    out = tracker.track(
        _sample(0, masks, [0.9, 0.8, 0.7], [[1., 0.], [1., 0.], [0., 1.]]))
    assert out.scores.tolist() == pytest.approx([0.9, 0.7])
    assert out.instances_id.tolist() == [0, 1]
