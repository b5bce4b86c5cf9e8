# Copyright (c) mmsolotrack contributors. All rights reserved.
"""PoseTrack mAP / MOTA on hand-built cases with hand-computed answers.

Every case uses PoseTrack's 15 joints and a GT head box of 30 x 40 pixels:
head size = 0.6 x diagonal = 0.6 x 50 = 30 px, so a predicted joint is
correct within 0.5 x 30 = 15 px. Person A stands at x = 100, person B at
x = 300: no joint of one is within 15 px of a joint of the other.
"""
import math

import numpy as np
import pytest

from mmsolotrack.evaluation.functional import (
    POSETRACK_JOINTS, ClearMOTAccumulator, assign_poses, average_precision,
    evaluate_posetrack, head_size, match_pose_frame, pckh_distances)

J = len(POSETRACK_JOINTS)
HEAD_BOX = [0.0, 0.0, 30.0, 40.0]
A, B, C = 100.0, 300.0, 500.0


def pose(x0, y0=50.0):
    """(J, 2) joints of a person standing at x0."""
    j = np.arange(J, dtype=np.float64)
    return np.stack([x0 + 4.0 * (j % 3), y0 + 10.0 * j], axis=1)


def frame(gt, pred):
    """gt: [(track_id, xy)], pred: [(track_id, xy, score)]; all joints."""
    return dict(
        gt_xy=np.array([xy for _, xy in gt]).reshape(-1, J, 2),
        gt_has=np.ones((len(gt), J), bool),
        gt_ids=np.array([i for i, _ in gt], np.int64),
        gt_head_sizes=np.full(len(gt), head_size(HEAD_BOX)),
        pred_xy=np.array([xy for _, xy, _ in pred]).reshape(-1, J, 2),
        pred_has=np.ones((len(pred), J), bool),
        pred_ids=np.array([i for i, _, _ in pred], np.int64),
        pred_scores=np.array([np.full(J, s)
                              for _, _, s in pred]).reshape(-1, J))


def both(gt_ids, pred_ids):
    """A frame with A and B in GT and predicted at their exact positions."""
    return frame([(gt_ids[0], pose(A)), (gt_ids[1], pose(B))],
                 [(pred_ids[0], pose(A), 0.9), (pred_ids[1], pose(B), 0.8)])


def total(result):
    return result['ap']['mAP'], result['mot']['total']['MOTA']


def test_head_size_is_poseval_reference_length():
    assert head_size(HEAD_BOX) == pytest.approx(30.0)


def test_perfect_predictions_score_100():
    video = [both((1, 2), (10, 20)) for _ in range(4)]
    result = evaluate_posetrack([video])
    assert total(result) == (100.0, 100.0)
    mot = result['mot']
    assert set(mot['MOTA'].values()) == {100.0}
    assert mot['total']['MOTP'] == 100.0
    assert mot['total']['precision'] == mot['total']['recall'] == 100.0
    assert mot['total']['num_objects'] == 4 * 2 * J
    assert mot['total']['num_switches'] == 0
    assert set(result['ap']['groups']) == {
        'Head', 'Shou', 'Elb', 'Wri', 'Hip', 'Knee', 'Ankl'
    }


def test_identity_swap_at_one_frame():
    """Frames 0, 1, 2; the predicted ids of A and B are swapped in frame 1
    only. Per joint: 2 GT joints x 3 frames = 6 objects. Frame 1: GT A was
    last matched to track 10, but track 10 now sits on B (200 px away, no
    valid pair), so A is matched to 20: a switch; the same for B: 2
    switches. Frame 2: both go back to their first tracks: 2 more. No miss,
    no FP: MOTA = 100 x (1 - 4 / 6) = 33.33 for every joint and in total.
    The poses are perfect: mAP = 100."""
    video = [
        both((1, 2), (10, 20)),
        both((1, 2), (20, 10)),
        both((1, 2), (10, 20))
    ]
    result = evaluate_posetrack([video])
    assert result['ap']['mAP'] == 100.0
    assert result['mot']['total']['num_switches'] == 4 * J
    for value in result['mot']['MOTA'].values():
        assert value == pytest.approx(100 * (1 - 4 / 6))
    assert result['mot']['total']['MOTA'] == pytest.approx(33.333, abs=1e-3)


def test_permanent_identity_swap():
    """The ids swap at frame 1 and stay swapped: 2 switches of 6 objects
    per joint, MOTA = 100 x (1 - 2 / 6) = 66.67."""
    video = [
        both((1, 2), (10, 20)),
        both((1, 2), (20, 10)),
        both((1, 2), (20, 10))
    ]
    result = evaluate_posetrack([video])
    assert result['mot']['total']['num_switches'] == 2 * J
    assert result['mot']['total']['MOTA'] == pytest.approx(200 / 3)


def test_ids_are_per_video():
    """Track ids restart per video: the same id in another video is no
    switch (one accumulator per video)."""
    v1 = [both((1, 2), (10, 20))] * 2
    v2 = [both((1, 2), (20, 10))] * 2
    assert total(evaluate_posetrack([v1, v2])) == (100.0, 100.0)


def test_missed_person():
    """2 frames, A and B in GT; B predicted in frame 0 only. Per joint:
    4 objects, 1 miss: MOTA = 75; AP: 3 true positives of 4 GT joints,
    precision 1 throughout, recall up to 0.75: AP = 75."""
    video = [
        both((1, 2), (10, 20)),
        frame([(1, pose(A)), (2, pose(B))], [(10, pose(A), 0.9)])
    ]
    result = evaluate_posetrack([video])
    assert total(result) == (pytest.approx(75.0), pytest.approx(75.0))
    assert result['mot']['total']['num_misses'] == J
    assert result['mot']['total']['recall'] == pytest.approx(75.0)
    assert result['ap']['recall']['nose'] == pytest.approx(75.0)


@pytest.mark.parametrize('fp_score, ap', [(0.5, 100.0), (0.95, 50.0)])
def test_false_positive(fp_score, ap):
    """GT A only; predictions A (0.9) and a person C far from anybody.
    AP per joint: sorted by score, FP below the TP: precision 1 at recall 1,
    AP = 100; FP above: precision 0 at recall 0 then 1/2 at recall 1, AP =
    50. MOTA: 1 object, 1 FP: 100 x (1 - 1) = 0; precision 50."""
    video = [
        frame([(1, pose(A))], [(10, pose(A), 0.9), (30, pose(C), fp_score)])
    ]
    result = evaluate_posetrack([video])
    assert result['ap']['mAP'] == pytest.approx(ap)
    assert result['mot']['total']['MOTA'] == pytest.approx(0.0)
    assert result['mot']['total']['num_false_positives'] == J
    assert result['mot']['total']['precision'] == pytest.approx(50.0)


@pytest.mark.parametrize(
    'offset, correct',
    [
        ((9.0, 12.0), True),  # exactly 15 px = 0.5 head sizes: inclusive
        ((0.0, 14.99), True),
        ((0.0, 15.01), False),
    ])
def test_pckh_threshold_boundary(offset, correct):
    """GT A in 1 frame; the prediction is exact except the left wrist,
    moved by ``offset``. Inside 15 px: everything 100. Outside: the wrist is
    a false positive and its GT a miss: AP_wrist = 0 (a wrong prediction
    and an unfound GT), MOTA_wrist = 100 x (1 - 2 / 1) = -100; the person
    still matches on 14 joints. mAP = 14 x 100 / 15 = 93.33, MOTA (mean
    over joints) = (14 x 100 - 100) / 15 = 86.67."""
    wrist = POSETRACK_JOINTS.index('left_wrist')
    xy = pose(A)
    xy[wrist] += offset
    result = evaluate_posetrack([[frame([(1, pose(A))], [(10, xy, 0.9)])]])
    if correct:
        assert total(result) == (100.0, 100.0)
        return
    assert result['ap']['AP']['left_wrist'] == 0.0
    assert result['mot']['MOTA']['left_wrist'] == pytest.approx(-100.0)
    assert result['ap']['mAP'] == pytest.approx(1400 / 15)
    assert result['mot']['total']['MOTA'] == pytest.approx(1300 / 15)


def test_frame_with_gt_and_no_prediction():
    """2 frames with GT A; nothing predicted in frame 1. Per joint: 2
    objects, 1 miss, no FP: MOTA = 50 (poseval would add a placeholder
    object, miss and FP here: MOTA 0 -- see the module docstring); AP: 1
    TP of 2 GT: 50."""
    video = [
        frame([(1, pose(A))], [(10, pose(A), 0.9)]),
        frame([(1, pose(A))], [])
    ]
    result = evaluate_posetrack([video])
    assert total(result) == (pytest.approx(50.0), pytest.approx(50.0))
    assert result['mot']['total']['num_false_positives'] == 0


def test_empty_frame_changes_nothing():
    video = [both((1, 2), (10, 20)), frame([], []), both((1, 2), (10, 20))]
    assert total(evaluate_posetrack([video])) == (100.0, 100.0)


def test_frame_without_gt_counts_its_predictions_as_false_positives():
    """Arrays of a frame with predictions and no GT (what an ignore region
    can leave): every prediction is a FP. (Frames whose json has no GT
    person at all never get here: see test_posetrack_metric.)"""
    video = [
        frame([(1, pose(A))], [(10, pose(A), 0.9)]),
        frame([], [(10, pose(A), 0.95)])
    ]
    result = evaluate_posetrack([video])
    # AP: FP (0.95) above TP (0.9): 50; MOTA: 1 object, 1 FP: 0
    assert total(result) == (pytest.approx(50.0), pytest.approx(0.0))


def test_video_without_predictions():
    """GT A and B for 3 frames, nothing predicted: 6 misses per joint:
    MOTA 0, recall 0, AP 0; MOTP 0 (no match, poseval's convention) and
    precision undefined (NaN)."""
    video = [frame([(1, pose(A)), (2, pose(B))], []) for _ in range(3)]
    result = evaluate_posetrack([video])
    assert total(result) == (0.0, 0.0)
    mot = result['mot']['total']
    assert mot['num_misses'] == 6 * J and mot['MOTP'] == 0.0
    assert mot['recall'] == 0.0 and math.isnan(mot['precision'])


def test_joint_without_gt_is_left_out_of_the_means():
    f = frame([(1, pose(A))], [(10, pose(A), 0.9)])
    f['gt_has'][:, 0] = False  # the nose is never annotated
    result = evaluate_posetrack([[f]])
    assert math.isnan(result['ap']['AP']['nose'])
    assert math.isnan(result['mot']['MOTA']['nose'])
    # the predicted nose is a FP of the nose only, which has no GT
    assert total(result) == (100.0, 100.0)


def test_assignment_is_poseval_greedy_not_hungarian():
    """4 joints. P0 is right on G0 for 4 joints and on G1 for 3; P1 is right
    on G0 for 3 joints and on G1 for none. poseval: each prediction keeps
    its best GT (both keep G0), G0 takes P0 (pck 1 > 3/4), and P1 is left
    unassigned (all its joints false positives), G1 unmatched: 4 correct
    joints. A Hungarian assignment would give P0 -> G1, P1 -> G0: 6."""
    correct = np.zeros((2, 2, 4), bool)
    correct[0, 0] = True
    correct[0, 1, :3] = True
    correct[1, 0, :3] = True
    gt_has = np.ones((2, 4), bool)
    assert assign_poses(correct, gt_has).tolist() == [0, -1]
    # ties: the first GT / the first prediction wins
    tied = np.ones((2, 2, 4), bool)
    assert assign_poses(tied, gt_has).tolist() == [0, -1]
    # a prediction without any correct joint is assigned to nobody
    assert assign_poses(np.zeros((1, 2, 4), bool), gt_has).tolist() == [-1]


def test_pckh_distances_inf_where_a_joint_is_absent():
    gt, pred = pose(A)[None], pose(A)[None] + [3.0, 4.0]
    gt_has = np.ones((1, J), bool)
    pred_has = gt_has.copy()
    pred_has[0, 2] = False
    dist = pckh_distances(pred, pred_has, gt, gt_has, np.array([10.0]))
    assert dist.shape == (1, 1, J)
    assert dist[0, 0, 0] == pytest.approx(0.5)
    assert np.isinf(dist[0, 0, 2])


def test_clear_mot_keeps_last_match_before_hungarian():
    """Frame 1: GT 1 matches track 10 (d 0.1). Frame 2: tracks 10 (d 0.4)
    and 20 (d 0.1) are both valid; CLEAR-MOT keeps 10 (no switch), 20 is a
    FP. (A plain Hungarian would take 20 and count a switch.)"""
    acc = ClearMOTAccumulator()
    acc.update([1], [10], np.array([[0.1]]))
    acc.update([1], [10, 20], np.array([[0.4, 0.1]]))
    c = acc.counts()
    assert (c['num_switches'], c['num_false_positives'],
            c['num_detections']) == (0, 1, 2)
    assert c['sum_distance'] == pytest.approx(0.5)


def test_clear_mot_switch_after_a_gap():
    acc = ClearMOTAccumulator()
    acc.update([1], [10], np.array([[0.1]]))
    acc.update([1], [], np.zeros((1, 0)))  # missed: no switch
    acc.update([1], [10], np.array([[0.1]]))  # same track: no switch
    acc.update([1], [], np.zeros((1, 0)))
    acc.update([1], [30], np.array([[0.1]]))  # new track: a switch
    c = acc.counts()
    assert (c['num_objects'], c['num_misses'], c['num_switches']) == (5, 2, 1)


def test_clear_mot_hungarian_maximises_matches_then_minimises_distance():
    acc = ClearMOTAccumulator()
    # greedy on the smallest distance (0.1) would leave GT 2 unmatched
    acc.update([1, 2], [10, 20], np.array([[0.1, 0.2], [0.3, np.nan]]))
    c = acc.counts()
    assert c['num_detections'] == 2 and c['num_misses'] == 0
    assert c['sum_distance'] == pytest.approx(0.5)


def test_average_precision_known_curve():
    # TP, FP, TP of 4 GT: P = 1, 1/2, 2/3 at R = 1/4, 1/4, 1/2
    # envelope: 1 up to R = 1/4, 2/3 up to 1/2: AP = 0.25 + 0.25 * 2/3
    ap, pre, rec = average_precision(
        np.array([0.9, 0.8, 0.7]), np.array([1, 0, 1], bool), 4)
    assert ap == pytest.approx(100 * (0.25 + 0.25 * 2 / 3))
    assert pre == pytest.approx(200 / 3) and rec == pytest.approx(50.0)
    assert all(
        math.isnan(v)
        for v in average_precision(np.array([0.5]), np.array([0], bool), 0))
    assert average_precision(np.zeros(0), np.zeros(0, bool), 3) == (0, 0, 0)


# --------------------------------------------------------------------------
# brute-force reference: matching and AP with plain Python loops
def brute_force_ap(videos, thr=0.5):
    aps = []
    for j in range(J):
        entries, num_gt = [], 0
        for f in (f for v in videos for f in v):
            gts, preds = range(len(f['gt_ids'])), range(len(f['pred_ids']))
            num_gt += sum(bool(f['gt_has'][g, j]) for g in gts)
            ok = {}
            for p in preds:
                for g in gts:
                    for k in range(J):
                        d = math.dist(f['pred_xy'][p, k], f['gt_xy'][g, k])
                        ok[p, g,
                           k] = bool(f['pred_has'][p, k] and f['gt_has'][g, k]
                                     and d / f['gt_head_sizes'][g] <= thr)
            pck = {}
            for p in preds:
                for g in gts:
                    n = sum(bool(f['gt_has'][g, k]) for k in range(J))
                    hits = sum(ok[p, g, k] for k in range(J))
                    pck[p, g] = hits / n if n else hits
            best = {}
            for p in preds:  # each prediction keeps its first best GT
                top = None
                for g in gts:
                    if top is None or pck[p, g] > pck[p, top]:
                        top = g
                best[p] = top
            owner = {}
            for g in gts:  # each GT takes its first best prediction
                top = None
                for p in preds:
                    v = pck[p, g] if best[p] == g else 0.0
                    if v > 0 and (top is None or v > top[1]):
                        top = (p, v)
                if top is not None:
                    owner[top[0]] = g
            for p in preds:
                if f['pred_has'][p, j]:
                    label = p in owner and ok[p, owner[p], j]
                    entries.append((float(f['pred_scores'][p, j]), label))
        if num_gt == 0:
            continue
        entries = sorted(entries, key=lambda e: -e[0])  # stable
        tp, points = 0, []
        for rank, (_, label) in enumerate(entries, 1):
            tp += label
            points.append((tp / num_gt, tp / rank))
        ap = 0.0
        prev_recall = 0.0
        for recall, _ in points:
            if recall > prev_recall:  # area of the step, at the envelope
                ap += (recall - prev_recall) * max(
                    p for r, p in points if r >= recall)
                prev_recall = recall
        aps.append(100 * ap)
    return sum(aps) / len(aps)


def random_video(rng, num_frames=4):
    video = []
    for _ in range(num_frames):
        num_gt, num_pred = rng.integers(0, 4), rng.integers(0, 5)
        gt_xy = rng.uniform(0, 60, size=(num_gt, J, 2))
        # predictions: noisy copies of GT people, and random people
        src = rng.integers(0, max(num_gt, 1), size=num_pred)
        pred_xy = rng.uniform(0, 60, size=(num_pred, J, 2))
        for p in range(num_pred):
            if num_gt and rng.random() < 0.7:
                pred_xy[p] = gt_xy[src[p]] + rng.normal(
                    0, rng.uniform(0.5, 8), size=(J, 2))
        scores = rng.random((num_pred, J))
        if rng.random() < 0.3:
            scores = np.round(scores, 1)  # ties
        video.append(
            dict(
                gt_xy=gt_xy,
                gt_has=rng.random((num_gt, J)) < 0.8,
                gt_ids=np.arange(num_gt),
                gt_head_sizes=rng.uniform(10, 30, size=num_gt),
                pred_xy=pred_xy,
                pred_has=rng.random((num_pred, J)) < 0.85,
                pred_ids=np.arange(num_pred),
                pred_scores=scores))
    return video


@pytest.mark.parametrize('seed', range(12))
def test_vectorised_ap_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    videos = [random_video(rng) for _ in range(2)]
    result = evaluate_posetrack(videos)
    assert result['ap']['mAP'] == pytest.approx(brute_force_ap(videos))


def test_match_pose_frame_labels_follow_assignment():
    f = frame([(1, pose(A))], [(10, pose(A), 0.9), (11, pose(A), 0.8)])
    out = match_pose_frame(f)
    # both predictions are right on A; the first wins, the other is a FP
    assert out['gt_of_pred'].tolist() == [0, -1]
    assert out['labels'][0].all() and not out['labels'][1].any()
