# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The pruned duplicate suppression against dense brute force, on frames
of 100-500 instances with duplicates of every kind."""
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker
from mmsolotrack.models.trackers.mask_nms import suppress_duplicates

H, W = 48, 70


def brute_force_nms(masks, iou_thr):
    """Every pairwise IoU (float32, as the tracker defines it), then the
    greedy loop: keep a mask unless a kept one overlaps it by > iou_thr."""
    flat = masks.flatten(1).float()
    inter = flat @ flat.t()
    area = flat.sum(1)
    iou = inter / (area[:, None] + area[None] - inter).clamp(min=1)
    keep = []
    for i in range(len(masks)):
        if all(float(iou[i, j]) <= iou_thr for j in keep):
            keep.append(i)
    return keep


def crowded_frame(num, gen):
    """(num, H, W) bool: rectangles and blobs of all sizes, with shifted
    copies, exact copies, halves (IoU exactly 0.5 with the whole), unions,
    empty masks and masks touching the borders."""
    masks = torch.zeros(num, H, W, dtype=torch.bool)
    for k in range(num):
        kind = int(torch.randint(0, 8, (1, ), generator=gen))
        if k > 0 and kind <= 3:  # derived from an earlier mask
            src = masks[int(torch.randint(0, k, (1, ), generator=gen))]
            if kind == 0:
                masks[k] = src
            elif kind == 1:
                dy, dx = torch.randint(-2, 3, (2, ), generator=gen).tolist()
                masks[k] = torch.roll(src, (dy, dx), (0, 1))
            elif kind == 2:
                ys, xs = torch.nonzero(src, as_tuple=True)
                if len(ys):
                    masks[k, ys[:len(ys) // 2], xs[:len(xs) // 2]] = True
            else:
                masks[k] = src | masks[int(
                    torch.randint(0, k, (1, ), generator=gen))]
        elif kind == 4:
            pass  # empty
        elif kind == 5:
            masks[k] = torch.rand(H, W, generator=gen) < 0.02  # scattered
        else:
            y0, x0 = torch.randint(-5, H, (1, ), generator=gen), \
                torch.randint(-5, W, (1, ), generator=gen)
            h, w = torch.randint(1, 30, (2, ), generator=gen).tolist()
            masks[k,
                  max(int(y0), 0):max(int(y0) + h, 0),
                  max(int(x0), 0):max(int(x0) + w, 0)] = True
    return masks


@pytest.mark.parametrize('iou_thr', [0.0, 0.3, 0.5, 0.7, 1.0])
def test_suppress_duplicates_equals_brute_force(iou_thr):
    gen = torch.Generator().manual_seed(int(iou_thr * 10))
    dropped = 0
    for frame in range(20):
        num = int(torch.randint(100, 501, (1, ), generator=gen))
        masks = crowded_frame(num, gen)
        want = brute_force_nms(masks, iou_thr)
        got = suppress_duplicates(masks, iou_thr)
        assert got.dtype == torch.long
        assert got.tolist() == want, frame
        dropped += num - len(want)
    # IoU can't exceed 1: nothing is dropped at 1.0, much is below
    assert (dropped > 0) == (iou_thr < 1.0)


def test_suppress_duplicates_edge_cases():
    masks = torch.zeros(3, 4, 4, dtype=torch.bool)
    masks[0, :2, :2] = True
    masks[1, :2, :1] = True  # half of mask 0: IoU exactly 0.5
    masks[2, 3, 3] = True  # disjoint: IoU 0
    assert suppress_duplicates(masks, 0.5).tolist() == [0, 1, 2]
    assert suppress_duplicates(masks, 0.4999).tolist() == [0, 2]
    # a threshold below 0 makes every pair a duplicate, as dense would
    assert suppress_duplicates(masks, -0.1).tolist() == [0]
    assert suppress_duplicates(masks[:1], 0.5).tolist() == [0]
    assert suppress_duplicates(masks[:0], 0.5).tolist() == []


def test_tracker_dedup_equals_brute_force_then_no_dedup():
    """The tracker with dedup gives what a tracker without it gives on the
    frames deduplicated by brute force (before the max_per_frame cut)."""
    gen = torch.Generator().manual_seed(0)
    thr = 0.3
    dedup = EmbeddingTracker(dedup_iou_thr=thr,
                             max_per_frame=150,
                             det_score_thr=0.2)
    plain = EmbeddingTracker(max_per_frame=150, det_score_thr=0.2)
    dedup.reset()
    plain.reset()
    for frame_id in range(20):
        num = int(torch.randint(100, 301, (1, ), generator=gen))
        masks = crowded_frame(num, gen)
        scores = torch.rand(num, generator=gen)
        emb = torch.nn.functional.normalize(torch.randn(num, 16,
                                                        generator=gen),
                                            dim=1)
        pred = InstanceData(masks=masks,
                            scores=scores,
                            labels=torch.randint(0, 3, (num, ), generator=gen),
                            embeddings=emb)
        sample = DetDataSample(metainfo=dict(frame_id=frame_id))
        sample.pred_instances = pred
        order = torch.argsort(scores, descending=True, stable=True)
        order = order[scores[order] >= 0.2]
        kept = order[brute_force_nms(masks[order], thr)]
        ref = DetDataSample(metainfo=dict(frame_id=frame_id))
        ref.pred_instances = pred[kept]
        a, b = dedup.track(sample), plain.track(ref)
        for key in ('instances_id', 'labels', 'scores', 'masks', 'bboxes'):
            assert torch.equal(a.get(key), b.get(key)), (frame_id, key)


@pytest.mark.parametrize('stride', [2, 3, 4, 8])
def test_strided_suppression_is_the_iou_of_the_grid_pixels(stride):
    """stride s decides on masks[:, ::s, ::s] exactly, both for W a
    multiple of 8 (rows read as int64 words) and otherwise (a copy)."""
    gen = torch.Generator().manual_seed(stride)
    for frame in range(6):
        masks = crowded_frame(int(torch.randint(100, 301, (1, ),
                                                generator=gen)), gen)
        for x in (masks, torch.nn.functional.pad(masks, (0, 2))):  # 70, 72
            for thr in (0.3, 0.7):
                want = brute_force_nms(x[:, ::stride, ::stride], thr)
                got = suppress_duplicates(x, thr, stride)
                assert got.tolist() == want, (frame, x.shape[2], thr)
    # a view at an odd offset (not 8-byte aligned) takes the copy path
    padded = torch.nn.functional.pad(masks, (0, 2))
    odd = torch.zeros(len(padded) + 1, H, W + 2, dtype=torch.bool)
    odd[1:] = padded
    assert suppress_duplicates(odd[1:], 0.3, stride).tolist() == \
        brute_force_nms(padded[:, ::stride, ::stride], 0.3)


def test_strided_suppression_known_cases():
    """At stride 4 on 160 x 256 masks (SynthVIS frames, objects of 18-44
    px): a shifted copy of an object is dropped, a distinct neighbour
    overlapping it a little is kept; a pair just below the threshold at
    full resolution is above it on the grid, which is the price of the
    stride."""
    masks = torch.zeros(4, 160, 256, dtype=torch.bool)
    masks[0, 40:70, 40:70] = True  # an object, 30 x 30
    masks[1, 41:71, 42:72] = True  # its copy, shifted: IoU 0.82
    masks[2, 40:70, 64:94] = True  # a neighbour: IoU 0.11 with 0
    masks[3, 100:118, 100:118] = True  # elsewhere
    for stride in (1, 4):
        assert suppress_duplicates(masks, 0.3, stride).tolist() == [0, 2, 3]
    # 20 x 21 and a copy shifted by 12 columns: IoU 180 / 660 = 0.27 at
    # full resolution (kept); on the 4-grid 5 x 3 / (30 + 30 - 15) = 0.33
    # (dropped)
    pair = torch.zeros(2, 160, 256, dtype=torch.bool)
    pair[0, 40:60, 40:61] = True
    pair[1, 40:60, 52:73] = True
    assert suppress_duplicates(pair, 0.3).tolist() == [0, 1]
    assert suppress_duplicates(pair, 0.3, 4).tolist() == [0]
    with pytest.raises(ValueError, match='stride'):
        suppress_duplicates(pair, 0.3, 0)


def test_tracker_dedup_stride():
    """The tracker passes dedup_stride to the suppression: the pair above
    starts two tracks at stride 1 and one at stride 4."""
    masks = torch.zeros(2, 160, 256, dtype=torch.bool)
    masks[0, 40:60, 40:61] = True
    masks[1, 40:60, 52:73] = True
    ids = {}
    for stride in (1, 4):
        tracker = EmbeddingTracker(dedup_iou_thr=0.3, dedup_stride=stride)
        tracker.reset()
        sample = DetDataSample(metainfo=dict(frame_id=0))
        sample.pred_instances = InstanceData(
            masks=masks,
            scores=torch.tensor([0.9, 0.8]),
            labels=torch.tensor([0, 1]),
            embeddings=torch.eye(2))
        ids[stride] = tracker.track(sample).instances_id.tolist()
    assert ids == {1: [0, 1], 4: [0]}
    with pytest.raises(ValueError, match='dedup_stride'):
        EmbeddingTracker(dedup_stride=1.5)
