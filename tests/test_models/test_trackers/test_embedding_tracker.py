# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Scenario tests of the online trackers with synthetic objects of known
identity: every test checks the track ids exactly."""
import random

import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample

from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker
from mmsolotrack.models.trackers.mask_iou_tracker import MaskIoUTracker
from mmsolotrack.testing.tracker_videos import (SIZE, H, W, make_frame,
                                                orthonormal_bank, run_video)


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
