# Copyright (c) mmsolotrack contributors. All rights reserved.
"""YouTube-VIS metric on numpy 2, fed exactly as mmdet's VIS test loop does.

Each video goes through ``mmengine.evaluator.Evaluator.process`` as one
``TrackDataSample`` of ``DetDataSample`` frames carrying
``pred_track_instances`` and the raw ``instances`` annotations (masks as
uncompressed RLE, as in the YouTube-VIS json).
"""
import copy
import json
import zipfile

import numpy as np
import pytest
from mmdet.datasets import YouTubeVISDataset
from mmdet.evaluation.functional import YTVIS, YTVISeval
from mmdet.evaluation.metrics import \
    YouTubeVISMetric as MMDetYouTubeVISMetric
from pycocotools import mask as mask_util

from mmsolotrack.evaluation import (YouTubeVISMetric, YTVISEvalNumpy2,
                                    precision_recall_curves)
from mmsolotrack.registry import METRICS
from mmsolotrack.testing.masks import box_mask
from mmsolotrack.testing.vis_samples import make_video, run_metric

ITEMS = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10')
MMDET_ITEMS = dict(
    AP='mAP',
    AP50='mAP_50',
    AP75='mAP_75',
    APs='mAP_s',
    APm='mAP_m',
    APl='mAP_l',
    AR1='AR@1',
    AR10='AR@10')
COCO_IOU_THRS = np.linspace(.5, .95, 10)
OVIS_CLASSES = ('Person', 'Bird', 'Cat', 'Dog', 'Horse', 'Sheep', 'Cow',
                'Elephant', 'Bear', 'Zebra', 'Giraffe', 'Poultry',
                'Giant_panda', 'Lizard', 'Parrot', 'Monkey', 'Rabbit', 'Tiger',
                'Fish', 'Turtle', 'Bicycle', 'Motorcycle', 'Airplane', 'Boat',
                'Vehical')
TWO_CLASSES = ('cat_a', 'cat_b')


def build_metric(**kwargs):
    return METRICS.build(
        dict(type='YouTubeVISMetric', metric='segm', **kwargs))


def keys(items=ITEMS):
    return [f'youtube_vis/segm_{item}' for item in items]


def perfect(gts, score=0.9):
    """One track per ground truth, exactly its masks."""
    return [
        dict(
            track_id=100 + gt['instance_id'],
            label=gt['label'],
            masks=dict(gt['masks']),
            scores={f: score
                    for f in gt['masks']}) for gt in gts
    ]


def two_small_videos():
    """Video 1: one cat_a object, absent in frame 1. Video 2: cat_a and
    cat_b objects. At most one object per category and video."""
    h = w = 32
    gts1 = [
        dict(
            instance_id=1,
            label=0,
            masks={
                0: box_mask(h, w, 2, 2, 10, 12),
                2: box_mask(h, w, 4, 3, 12, 13)
            })
    ]
    gts2 = [
        dict(
            instance_id=2,
            label=0,
            masks={f: box_mask(h, w, 1 + f, 1, 9 + f, 7)
                   for f in range(4)}),
        dict(
            instance_id=3,
            label=1,
            masks={f: box_mask(h, w, 20, 20 - f, 30, 28 - f)
                   for f in range(1, 4)})
    ]
    return [(gts1, 3), (gts2, 4)]


def test_registered_in_mmsolotrack_scope():
    assert METRICS.get('YouTubeVISMetric') is YouTubeVISMetric
    assert issubclass(YouTubeVISMetric, MMDetYouTubeVISMetric)
    assert issubclass(YTVISEvalNumpy2, YTVISeval)
    assert not hasattr(np, 'float')


def test_bad_arguments_are_named():
    with pytest.raises(KeyError, match="metric must be 'segm'"):
        YouTubeVISMetric(metric='bbox')
    with pytest.raises(KeyError, match='mAP'):
        YouTubeVISMetric(metric_items=['mAP'])
    with pytest.raises(ValueError, match='outfile_prefix'):
        YouTubeVISMetric(format_only=True)
    with pytest.raises(RuntimeError, match='evaluate'):
        YTVISEvalNumpy2().accumulate()


def test_perfect_prediction():
    videos = [
        make_video(v + 1, 10 * v, n, (32, 32), gts, perfect(gts))
        for v, (gts, n) in enumerate(two_small_videos())
    ]
    res = run_metric(build_metric(), videos, TWO_CLASSES)
    assert sorted(res) == sorted(keys())
    # COCO precision is tp / (tp + fp + eps): 1 - 2e-16 at best
    for item in ('AP', 'AP50', 'AP75', 'APs', 'AR1', 'AR10'):
        assert res[f'youtube_vis/segm_{item}'] == pytest.approx(1, abs=1e-12)
    # all objects are small (area < 128**2): no ground truth in these ranges
    assert res['youtube_vis/segm_APm'] == -1
    assert res['youtube_vis/segm_APl'] == -1


def test_no_predictions_give_zero_not_nan():
    videos = [
        make_video(v + 1, 10 * v, n, (32, 32), gts, [])
        for v, (gts, n) in enumerate(two_small_videos())
    ]
    res = run_metric(build_metric(), videos, TWO_CLASSES)
    assert all(np.isfinite(v) for v in res.values())
    for item in ('AP', 'AP50', 'AP75', 'APs', 'AR1', 'AR10'):
        assert res[f'youtube_vis/segm_{item}'] == 0
    assert res['youtube_vis/segm_APm'] == res['youtube_vis/segm_APl'] == -1

    # nothing annotated and nothing predicted: every stat is -1
    empty = [make_video(1, 0, 2, (32, 32), [], [])]
    res = run_metric(build_metric(), empty, TWO_CLASSES)
    assert res == {key: -1.0 for key in keys()}


def swap_video(a_sizes, b_sizes, scores):
    """Two cat_a objects A (left) and B (right), square sides given per
    frame. Track 1 follows A on frames 0-1 and B on 2-3, track 2 the
    opposite."""
    h = w = 32
    a = {f: box_mask(h, w, 0, 0, s, s) for f, s in enumerate(a_sizes)}
    b = {f: box_mask(h, w, 16, 16, 16 + s, 16 + s) for f, s in enumerate(b_sizes)}
    gts = [
        dict(instance_id=1, label=0, masks=a),
        dict(instance_id=2, label=0, masks=b)
    ]
    tracks = [
        dict(
            track_id=7,
            label=0,
            masks={
                0: a[0],
                1: a[1],
                2: b[2],
                3: b[3]
            },
            scores={f: scores[0]
                    for f in range(4)}),
        dict(
            track_id=8,
            label=0,
            masks={
                0: b[0],
                1: b[1],
                2: a[2],
                3: a[3]
            },
            scores={f: scores[1]
                    for f in range(4)})
    ]
    return gts, tracks


def video_iou(track, gt):
    """Spatio-temporal IoU: summed intersections over summed unions."""
    inter = union = 0
    for f in range(4):
        p = track['masks'].get(f, np.zeros((32, 32), bool))
        g = gt['masks'].get(f, np.zeros((32, 32), bool))
        inter += int((p & g).sum())
        union += int((p | g).sum())
    return inter / union


# Per-threshold AP of 2 ground truths and 2 detections at a threshold where
# exactly the listed detections match (101 recall points 0:0.01:1):
# only the best-scored one matched -> precision 1 up to recall 0.5, i.e. on
# 51 recall points: 51/101; only the second one -> precision 0 then 0.5,
# envelope 0.5 up to recall 0.5: 0.5 * 51/101; both -> 1.
@pytest.mark.parametrize(
    'a_sizes, b_sizes, scores, ious, ap_when_matched, ar1_when_matched',
    [
        # sides 6,6,2,2: areas 36,36,4,4 for both objects.
        # IoU(t1, A) = (36 + 36) / (36 + 36 + (4 + 4) + (4 + 4)) = 72 / 88,
        # IoU(t2, B) the same; cross IoUs 8 / (72 + 72 + 8) = 8 / 152.
        ((6, 6, 2, 2), (6, 6, 2, 2), (0.9, 0.8),
         dict(t1a=72 / 88, t2b=72 / 88, t1b=8 / 152, t2a=8 / 152), 1.0, 0.5),
        # A: areas 64,64,4,4; B: 4,4,4,4.
        # IoU(t1, A) = 128 / (128 + 8 + 8) = 128 / 144;
        # IoU(t2, B) = 8 / (8 + 8 + 8) = 1 / 3;
        # IoU(t2, A) = 8 / (68 + 68 + 4 + 4) = 8 / 144;
        # IoU(t1, B) = 8 / (68 + 68 + 4 + 4) = 8 / 144.
        ((8, 8, 2, 2), (2, 2, 2, 2),
         (0.9, 0.8), dict(t1a=128 / 144, t2b=1 / 3, t1b=8 / 144,
                          t2a=8 / 144), 51 / 101, 0.5),
        # the same, the matching track now scored second: AR1 sees only the
        # unmatched track 2.
        ((8, 8, 2, 2), (2, 2, 2, 2),
         (0.7, 0.8), dict(t1a=128 / 144, t2b=1 / 3, t1b=8 / 144,
                          t2a=8 / 144), 0.5 * 51 / 101, 0.0),
    ])
def test_identity_swap(a_sizes, b_sizes, scores, ious, ap_when_matched,
                       ar1_when_matched):
    gts, tracks = swap_video(a_sizes, b_sizes, scores)
    (a, b), (t1, t2) = gts, tracks
    assert video_iou(t1, a) == pytest.approx(ious['t1a'], abs=1e-15)
    assert video_iou(t2, b) == pytest.approx(ious['t2b'], abs=1e-15)
    assert video_iou(t1, b) == pytest.approx(ious['t1b'], abs=1e-15)
    assert video_iou(t2, a) == pytest.approx(ious['t2a'], abs=1e-15)
    # cross IoUs never reach 0.5: a track matches its majority object or
    # nothing, and the best IoU decides at how many thresholds it matches
    best = max(ious['t1a'], ious['t2b'])
    steps = int(np.sum(best >= COCO_IOU_THRS))
    assert steps == {72 / 88: 7, 128 / 144: 8}[best]
    recall_when_matched = 1.0 if min(ious['t1a'], ious['t2b']) >= .5 else .5

    res = run_metric(build_metric(),
                   [make_video(3, 0, 4, (32, 32), gts, tracks)], TWO_CLASSES)
    expected = dict(
        AP=steps / 10 * ap_when_matched,
        AP50=ap_when_matched,
        AP75=ap_when_matched,
        APs=steps / 10 * ap_when_matched,
        APm=-1,
        APl=-1,
        AR1=steps / 10 * ar1_when_matched,
        AR10=steps / 10 * recall_when_matched)
    for item, value in expected.items():
        assert res[f'youtube_vis/segm_{item}'] == pytest.approx(
            value, abs=1e-12), item


def test_precision_recall_curves_by_hand():
    # detections: TP, FP, TP of 2 ground truths; recall .5 .5 1,
    # precision 1 .5 2/3, envelope 1 2/3 2/3
    rec_thrs = np.linspace(0, 1, 101)
    matched = np.array([[True, False, True]])
    precision, recall, scores = precision_recall_curves(
        np.array([.9, .8, .7]), matched, np.zeros_like(matched), 2, rec_thrs)
    eps = np.spacing(1)
    assert recall.tolist() == [1.0]
    assert np.allclose(precision[0, :51], 1 / (1 + eps), rtol=0, atol=0)
    assert np.allclose(precision[0, 51:], 2 / (3 + eps), rtol=0, atol=0)
    assert scores[0].tolist() == [.9] * 51 + [.7] * 50
    # an ignored false positive changes nothing; without detections: zeros
    ignored = np.array([[False, True, False]])
    assert np.array_equal(
        precision_recall_curves(
            np.array([.9, .8, .7]), matched, ignored, 2, rec_thrs)[0][0, 51:],
        np.full(50, 2 / (2 + eps)))
    empty = precision_recall_curves(
        np.zeros(0), np.zeros((10, 0), bool), np.zeros((10, 0), bool), 3,
        rec_thrs)
    assert all(np.array_equal(x, np.zeros_like(x)) for x in empty)


def random_videos(seed, num_classes=3):
    """Random boxes over 2-6 frames: tracked objects with jitter, dropped
    frames and wrong labels, missed objects, crowd objects and false
    positives (sometimes more than 10 per video)."""
    rng = np.random.default_rng(seed)
    specs = []
    next_id = 1
    for v in range(3):
        h, w = (int(x) for x in rng.integers(24, 320, size=2))
        n = int(rng.integers(2, 7))

        def rand_box():
            x1, y1 = int(rng.integers(0, w - 4)), int(rng.integers(0, h - 4))
            return [
                x1, y1,
                int(rng.integers(x1 + 2, w + 1)),
                int(rng.integers(y1 + 2, h + 1))
            ]

        def jitter(b):
            x1, y1, x2, y2 = (c + int(rng.integers(-3, 4)) for c in b)
            x1, y1 = min(max(x1, 0), w - 2), min(max(y1, 0), h - 2)
            return [x1, y1, min(max(x2, x1 + 1), w), min(max(y2, y1 + 1), h)]

        gts, tracks = [], []
        for _ in range(int(rng.integers(0, 5))):
            label = int(rng.integers(num_classes))
            frames = rng.choice(
                n, size=int(rng.integers(1, n + 1)), replace=False)
            boxes = {int(f): rand_box() for f in frames}
            gts.append(
                dict(
                    instance_id=next_id,
                    label=label,
                    ignore=int(rng.random() < 0.1),
                    masks={
                        f: box_mask(h, w, *b)
                        for f, b in boxes.items()
                    }))
            next_id += 1
            if rng.random() < 0.75:
                kept = [f for f in boxes if rng.random() < 0.85]
                if kept:
                    tracks.append(
                        dict(
                            label=label if rng.random() < 0.85 else int(
                                rng.integers(num_classes)),
                            masks={
                                f: box_mask(h, w, *jitter(boxes[f]))
                                for f in kept
                            }))
        for _ in range(int(rng.integers(0, 13))):
            frames = rng.choice(
                n, size=int(rng.integers(1, n + 1)), replace=False)
            tracks.append(
                dict(
                    label=int(rng.integers(num_classes)),
                    masks={int(f): box_mask(h, w, *rand_box())
                           for f in frames}))
        for i, t in enumerate(tracks):
            t['track_id'] = i
            t['scores'] = {f: float(rng.random()) for f in t['masks']}
        specs.append((v + 1, 100 * v, n, (h, w), gts, tracks))
    return specs


def evaluate_with(evaluator_cls, gts, preds):
    gt_api = YTVIS(copy.deepcopy(gts))
    evaluator = evaluator_cls(
        gt_api, gt_api.loadRes(copy.deepcopy(preds)), iouType='segm')
    evaluator.params.vidIds = gt_api.getVidIds()
    evaluator.evaluate()
    evaluator.accumulate()
    evaluator.summarize()
    return evaluator


@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4])
def test_agrees_with_mmdet_ytviseval(seed, monkeypatch):
    specs = random_videos(seed)
    classes = TWO_CLASSES + ('cat_c', )

    # the json gt / predictions the metric builds from the data samples
    metric = build_metric()
    metric.dataset_meta = dict(classes=classes)
    for spec in specs:
        metric.process(dict(), [make_video(*spec).to_dict()])
    video_preds, video_gts = zip(*metric.results)
    gts = metric.format_gts(video_gts)
    preds = metric.format_preds(video_preds)
    assert preds, 'mmdet cannot evaluate an empty prediction list'

    with monkeypatch.context() as patch:
        patch.setattr(np, 'float', float, raising=False)
        ref = evaluate_with(YTVISeval, gts, preds)
        mmdet_res = run_metric(
            MMDetYouTubeVISMetric(metric_items=list(MMDET_ITEMS.values())),
            [make_video(*spec) for spec in specs], classes)
    assert not hasattr(np, 'float')
    ours = evaluate_with(YTVISEvalNumpy2, gts, preds)

    for key in ('precision', 'recall', 'scores'):
        assert np.array_equal(ours.eval[key], ref.eval[key]), key
    assert ours.eval['counts'] == ref.eval['counts']
    assert np.array_equal(ours.stats, ref.stats)
    # not a vacuous comparison: some but not all settings are matched
    assert (ref.eval['precision'] > 0).any()
    assert (ref.eval['precision'][ref.eval['precision'] > -1] < 1).any()

    res = run_metric(build_metric(), [make_video(*spec) for spec in specs],
                   classes)
    for item, mmdet_item in MMDET_ITEMS.items():
        # mmdet rounds to 3 decimals, we do not
        assert float(f'{res[f"youtube_vis/segm_{item}"]:.3f}') == \
            mmdet_res[f'youtube_vis/segm_{mmdet_item}'], item


def test_format_only_writes_submission(tmp_path):
    gts, tracks = swap_video((6, 6, 2, 2), (6, 6, 2, 2), (0.9, 0.8))
    del tracks[1]['masks'][1]  # track 8 missing on frame 1
    tracks[1]['scores'] = {0: 0.5, 2: 0.25, 3: 0.75}
    tracks[1]['label'] = 1
    prefix = tmp_path / 'out' / 'results'
    videos = [make_video(5, 0, 4, (32, 32), gts, tracks)]
    res = run_metric(
        build_metric(format_only=True, outfile_prefix=str(prefix)), videos,
        TWO_CLASSES)
    assert res == {}

    json_file = tmp_path / 'out' / 'results.json'
    zip_file = tmp_path / 'out' / 'results.submission_file.zip'
    with zipfile.ZipFile(zip_file) as zf:
        assert zf.namelist() == ['results.json']
        submission = json.loads(zf.read('results.json'))
    assert submission == json.loads(json_file.read_text())
    assert len(submission) == 2
    by_score = sorted(submission, key=lambda r: -r['score'])
    for entry, track in zip(by_score, tracks):
        assert set(entry) == {
            'video_id', 'score', 'category_id', 'segmentations'
        }
        assert entry['video_id'] == 5
        assert entry['category_id'] == track['label'] + 1
        assert entry['score'] == pytest.approx(
            np.mean(list(track['scores'].values())), abs=1e-6)
        assert len(entry['segmentations']) == 4
        for f, rle in enumerate(entry['segmentations']):
            if f not in track['masks']:
                assert rle is None
                continue
            assert rle['size'] == [32, 32]
            assert isinstance(rle['counts'], str)
            decoded = mask_util.decode(
                dict(size=rle['size'], counts=rle['counts'].encode()))
            assert np.array_equal(decoded.astype(bool), track['masks'][f])


@pytest.mark.parametrize('dataset', ['2019', '2021', 'ovis'])
def test_category_sets(dataset, monkeypatch):
    if dataset == 'ovis':
        classes = OVIS_CLASSES
    else:
        # set_dataset_classes rewrites the class attribute: restore it
        monkeypatch.setattr(YouTubeVISDataset, 'METAINFO',
                            getattr(YouTubeVISDataset, 'METAINFO', None))
        YouTubeVISDataset.set_dataset_classes(dataset)
        classes = YouTubeVISDataset.METAINFO['classes']
    assert len(classes) == {'2019': 40, '2021': 40, 'ovis': 25}[dataset]
    h = w = 32
    last, first = len(classes) - 1, 0
    gts = [
        dict(
            instance_id=1,
            label=last,
            masks={f: box_mask(h, w, 2, 2, 12, 12)
                   for f in range(3)}),
        dict(
            instance_id=2,
            label=first,
            masks={f: box_mask(h, w, 15, 15, 30, 25)
                   for f in range(3)})
    ]
    tracks = perfect(gts)
    tracks[1]['label'] = 1  # right mask, wrong category
    res = run_metric(build_metric(), [make_video(1, 0, 3, (h, w), gts, tracks)],
                   classes)
    # category `last` is perfect, category `first` missed: mean over the two
    # categories with ground truth; the wrong-category track is a false
    # positive of category 1, which has no ground truth and is not averaged
    assert res['youtube_vis/segm_AP'] == pytest.approx(0.5, abs=1e-12)
    assert res['youtube_vis/segm_AR10'] == pytest.approx(0.5, abs=1e-12)


def test_two_validation_rounds_reuse_the_metric():
    metric = build_metric()
    specs = random_videos(7)
    first = run_metric(metric, [make_video(*s) for s in specs],
                     TWO_CLASSES + ('cat_c', ))
    second = run_metric(metric, [make_video(*s) for s in specs],
                      TWO_CLASSES + ('cat_c', ))
    assert first == second


def test_duplicate_instance_ids_across_videos_are_refused():
    gts, _ = two_small_videos()[0]
    videos = [make_video(v + 1, 10 * v, 3, (32, 32), gts, []) for v in (0, 1)]
    with pytest.raises(ValueError, match='unique across videos'):
        run_metric(build_metric(), videos, TWO_CLASSES)


def test_class_agnostic_ignores_only_the_category():
    """Perfect masks and identities under the wrong class: AP 0 with
    categories, 1 without. A track split in two halves (an identity switch)
    stays below 1 either way."""
    videos_data = two_small_videos()
    wrong = []
    for v, (gts, n) in enumerate(videos_data):
        tracks = perfect(gts)
        for t in tracks:
            t['label'] = 1 - t['label']
        wrong.append(make_video(v + 1, 10 * v, n, (32, 32), gts, tracks))
    res = run_metric(build_metric(class_agnostic=True), wrong, TWO_CLASSES)
    assert sorted(res) == sorted(
        keys() + keys(f'agnostic_{i}' for i in ITEMS))
    assert res['youtube_vis/segm_AP'] == pytest.approx(0, abs=1e-12)
    assert res['youtube_vis/segm_agnostic_AP'] == pytest.approx(1, abs=1e-12)
    # one detection per video across categories: video 2 recalls one of its
    # two objects -> 2 of 3 objects
    assert res['youtube_vis/segm_agnostic_AR1'] == pytest.approx(2 / 3)
    assert res['youtube_vis/segm_agnostic_AR10'] == pytest.approx(1)
    # default: no agnostic keys
    plain = run_metric(build_metric(), copy.deepcopy(wrong), TWO_CLASSES)
    assert sorted(plain) == sorted(keys())

    # video 2's cat_a object tracked as two tracks (frames 0-1, 2-3), right
    # classes: each half covers 2 of 4 frames, video IoU 0.5 -> AP50 counts
    # one, AP at stricter thresholds does not
    gts, n = videos_data[1]
    obj = gts[0]
    halves = [
        dict(track_id=200 + k, label=0,
             masks={f: obj['masks'][f] for f in frames},
             scores={f: 0.9 - 0.1 * k for f in frames})
        for k, frames in enumerate(((0, 1), (2, 3)))
    ]
    split = [make_video(1, 0, n, (32, 32), [obj], halves)]
    res = run_metric(build_metric(class_agnostic=True), split, TWO_CLASSES)
    assert res['youtube_vis/segm_agnostic_AP'] == pytest.approx(
        res['youtube_vis/segm_AP'], abs=1e-12)
    assert 0 < res['youtube_vis/segm_agnostic_AP'] < 0.2
