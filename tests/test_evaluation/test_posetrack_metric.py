# Copyright (c) mmsolotrack contributors. All rights reserved.
"""PoseTrack 2018 json reading / writing and the registered PoseTrackMetric
on small files the tests write."""
import json
import math
import os

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from mmsolotrack.datasets.posetrack_json import (
    POSETRACK18_KEYPOINTS, PoseTrackFormatError, posetrack18_categories,
    predictions_by_image, read_posetrack18, write_posetrack_results)
from mmsolotrack.evaluation import PoseTrackMetric
from mmsolotrack.evaluation.functional import (evaluate_posetrack,
                                               posetrack_frames)
from mmsolotrack.registry import METRICS
from mmsolotrack.utils import register_all_modules

K = len(POSETRACK18_KEYPOINTS)
EARS = [POSETRACK18_KEYPOINTS.index(n) for n in ('left_ear', 'right_ear')]
A, B = 100.0, 300.0


def pose(x0):
    """(K, 2) keypoints of a person at x0 (ears included, never GT)."""
    k = np.arange(K, dtype=np.float64)
    return np.stack([x0 + 4.0 * (k % 3), 50.0 + 10.0 * k], axis=1)


def gt_annotation(ann_id, image_id, track_id, x0):
    kpts = np.concatenate([pose(x0), np.ones((K, 1))], axis=1)
    kpts[EARS] = 0  # PoseTrack never annotates the ears
    return dict(
        id=ann_id,
        image_id=image_id,
        track_id=track_id,
        category_id=1,
        keypoints=kpts.ravel().tolist(),
        bbox_head=[x0, 20.0, 30.0, 40.0],
        bbox=[x0 - 5, 20.0, 20.0, 200.0])


def image_id(vid, frame):
    return 10000000000 + vid * 10000 + frame


def gt_video(vid, num_frames=3, empty_frames=(), unlabeled=()):
    """Frames 0..num_frames-1 with A (track 0) and B (track 1), except the
    labelled-but-empty and the unlabelled frames."""
    images, anns = [], []
    for f in range(num_frames):
        iid = image_id(vid, f)
        images.append(
            dict(
                id=iid,
                vid_id=f'{vid:06d}',
                frame_id=iid,
                nframes=num_frames,
                file_name=f'images/val/{vid:06d}_mpii_test/{f:06d}.jpg',
                is_labeled=f not in unlabeled,
                has_no_densepose=True))
        if f in empty_frames or f in unlabeled:
            continue
        anns.append(gt_annotation(iid * 100, iid, 0, A))
        anns.append(gt_annotation(iid * 100 + 1, iid, 1, B))
    return dict(
        images=images, annotations=anns, categories=posetrack18_categories())


def write(path, data):
    with open(path, 'w') as f:
        json.dump(data, f)
    return str(path)


def frame_sample(iid, people):
    """A DetDataSample of one frame: people = [(track id, x0)]."""
    sample = DetDataSample(metainfo=dict(img_id=iid))
    sample.pred_track_instances = InstanceData(
        keypoints=torch.tensor(
            np.array([pose(x) for _, x in people]),
            dtype=torch.float32).reshape(-1, K, 2),
        keypoint_scores=torch.full((len(people), K), 0.9),
        instances_id=torch.tensor([i for i, _ in people], dtype=torch.long),
        scores=torch.full((len(people), ), 0.95))
    return sample


def video_sample(samples):
    video = TrackDataSample()
    video.video_data_samples = samples
    return video


@pytest.fixture(autouse=True)
def _scope():
    register_all_modules(init_default_scope=False)
    init_default_scope('mmsolotrack')


def test_registry_finds_the_metric(tmp_path):
    assert METRICS.get('PoseTrackMetric') is PoseTrackMetric
    ann = write(tmp_path / 'gt.json', gt_video(1))
    metric = METRICS.build(dict(type='PoseTrackMetric', ann_file=ann))
    assert isinstance(metric, PoseTrackMetric)


def test_read_back_what_was_written(tmp_path):
    folder = tmp_path / 'val'
    folder.mkdir()
    write(folder / '000001_mpii_test.json', gt_video(1, unlabeled=(2, )))
    both = gt_video(2)
    other = gt_video(3, num_frames=2)
    both['images'] += other['images'][::-1]  # any order
    both['annotations'] += other['annotations']
    write(folder / 'two_videos.json', both)
    videos = read_posetrack18(str(folder))
    assert [v['vid_id'] for v in videos] == ['000001', '000002', '000003']
    assert videos[0]['source'].endswith('000001_mpii_test.json')
    assert videos[0]['keypoint_names'] == list(POSETRACK18_KEYPOINTS)
    v1, v3 = videos[0], videos[2]
    assert [f['image']['is_labeled']
            for f in v1['frames']] == [True, True, False]
    assert [len(f['people']) for f in v1['frames']] == [2, 2, 0]
    assert [f['image']['frame_id'] for f in v3['frames']
            ] == sorted(f['image']['frame_id'] for f in v3['frames'])
    person = v1['frames'][0]['people'][0]
    assert person['track_id'] == 0 and len(person['keypoints']) == 3 * K
    # a single file reads the same as its folder entry
    assert read_posetrack18(str(folder / '000001_mpii_test.json')) == [v1]


@pytest.mark.parametrize('break_it, key', [
    (lambda d: d.pop('images'), 'images'),
    (lambda d: d['annotations'][1].pop('keypoints'), 'keypoints'),
    (lambda d: d['annotations'][0].pop('image_id'), 'image_id'),
    (lambda d: d['images'][0].pop('vid_id'), 'vid_id'),
    (lambda d: d['annotations'][0]['keypoints'].pop(), '3 x 17'),
    (lambda d: d['categories'][0].pop('keypoints'), 'keypoints'),
])
def test_bad_json_names_the_file_and_the_key(tmp_path, break_it, key):
    data = gt_video(1)
    break_it(data)
    path = write(tmp_path / 'broken.json', data)
    with pytest.raises(PoseTrackFormatError) as err:
        read_posetrack18(path)
    assert 'broken.json' in str(err.value) and key in str(err.value)


@pytest.mark.parametrize('key', ['bbox_head', 'track_id'])
def test_gt_without_what_evaluation_needs(tmp_path, key):
    data = gt_video(1)
    data['annotations'][3].pop(key)
    path = write(tmp_path / 'gt.json', data)
    with pytest.raises(PoseTrackFormatError, match=key) as err:
        posetrack_frames(read_posetrack18(path), {})
    assert 'gt.json' in str(err.value)


def test_not_json(tmp_path):
    path = tmp_path / 'x.json'
    path.write_text('{not json')
    with pytest.raises(PoseTrackFormatError, match='x.json'):
        read_posetrack18(str(path))
    with pytest.raises(FileNotFoundError, match='nowhere'):
        read_posetrack18(str(tmp_path / 'nowhere'))


def run_metric(ann_file, videos, **kwargs):
    metric = PoseTrackMetric(ann_file=ann_file, **kwargs)
    metric.process({}, [v.to_dict() for v in videos])
    return metric.evaluate(len(videos))


def perfect_videos(vids=(1, ), num_frames=3):
    return [
        video_sample([
            frame_sample(image_id(v, f), [(7, A), (8, B)])
            for f in range(num_frames)
        ]) for v in vids
    ]


def test_perfect_predictions(tmp_path):
    ann = write(tmp_path / 'gt.json', gt_video(1))
    out = run_metric(ann, perfect_videos())
    assert out['posetrack/mAP'] == 100.0 and out['posetrack/MOTA'] == 100.0
    assert out['posetrack/num_switches'] == 0
    assert out['posetrack/num_objects'] == 3 * 2 * 15
    assert out['posetrack/AP_Head'] == out['posetrack/MOTA_Ankl'] == 100.0


def test_identity_swap_through_the_metric(tmp_path):
    """The ids swap at frame 1 and swap back at frame 2: 4 switches of 6
    objects per joint, MOTA = 100 x (1 - 4/6) = 33.33 (as in
    test_posetrack_eval); frame samples may also come one by one."""
    ann = write(tmp_path / 'gt.json', gt_video(1))
    frames = [
        frame_sample(image_id(1, 0), [(7, A), (8, B)]),
        frame_sample(image_id(1, 1), [(8, A), (7, B)]),
        frame_sample(image_id(1, 2), [(7, A), (8, B)])
    ]
    metric = PoseTrackMetric(ann_file=ann)
    metric.process({}, [f.to_dict() for f in frames])
    out = metric.evaluate(3)
    assert out['posetrack/mAP'] == 100.0
    assert out['posetrack/MOTA'] == pytest.approx(100 / 3)
    assert out['posetrack/num_switches'] == 4 * 15


def test_frames_without_gt_people_are_not_evaluated(tmp_path):
    """Frame 2 is labelled but has no person, frame 3 is not labelled:
    poseval drops both, with their predictions (no false positive)."""
    ann = write(tmp_path / 'gt.json',
                gt_video(1, num_frames=4, empty_frames=(2, ), unlabeled=(3, )))
    out = run_metric(ann, perfect_videos(num_frames=4))
    assert out['posetrack/mAP'] == 100.0 and out['posetrack/MOTA'] == 100.0
    assert out['posetrack/num_objects'] == 2 * 2 * 15


def test_video_without_predictions(tmp_path):
    ann = write(tmp_path / 'gt.json', gt_video(1))
    metric = PoseTrackMetric(ann_file=ann)
    out = metric.compute_metrics([])
    assert out['mAP'] == 0.0 and out['MOTA'] == 0.0
    assert out['num_misses'] == 3 * 2 * 15 and math.isnan(out['precision'])


def test_ignore_regions_drop_points_and_people(tmp_path):
    """An ignore region around person B: B's GT points go, and so does a
    wrong prediction there; what is left is perfect."""
    data = gt_video(1)
    for image in data['images']:
        image['ignore_regions_x'] = [[B - 20, B + 40, B + 40, B - 20]]
        image['ignore_regions_y'] = [[0, 0, 400, 400]]
    ann = write(tmp_path / 'gt.json', data)
    videos = [
        video_sample([
            frame_sample(image_id(1, f), [(7, A), (9, B + 15)])
            for f in range(3)
        ])
    ]
    out = run_metric(ann, videos)
    assert out['posetrack/mAP'] == 100.0 and out['posetrack/MOTA'] == 100.0
    assert out['posetrack/num_objects'] == 3 * 15


def test_results_written_for_poseval_read_back_the_same(tmp_path):
    folder = tmp_path / 'gt'
    folder.mkdir()
    write(folder / '000001_mpii_test.json', gt_video(1))
    write(folder / '000002_mpii_test.json', gt_video(2))
    out_dir = tmp_path / 'results'
    videos = perfect_videos(vids=(1, 2))
    videos[1].video_data_samples[1] = frame_sample(
        image_id(2, 1), [(8, A), (7, B)])
    in_memory = run_metric(str(folder), videos, outfile_prefix=str(out_dir))
    assert sorted(os.listdir(out_dir)) == [
        '000001_mpii_test.json', '000002_mpii_test.json'
    ]
    with open(out_dir / '000002_mpii_test.json') as f:
        result = json.load(f)
    with open(folder / '000002_mpii_test.json') as f:
        gt = json.load(f)
    assert result['images'] == gt['images']  # poseval pairs frames so
    assert result['categories'] == gt['categories']
    person = result['annotations'][0]
    assert len(person['keypoints']) == 3 * K and len(person['scores']) == K
    assert {'image_id', 'track_id', 'keypoints', 'scores'} <= set(person)
    # evaluating the written files gives the in-memory numbers
    gt_videos = read_posetrack18(str(folder))
    from_files = evaluate_posetrack(
        posetrack_frames(gt_videos, predictions_by_image(str(out_dir))))
    assert from_files['ap']['mAP'] == in_memory['posetrack/mAP'] == 100.0
    assert from_files['mot']['total']['MOTA'] == pytest.approx(
        in_memory['posetrack/MOTA'])
    # video 2 swaps at frame 1 and back: 4 switches of 6 objects per joint
    # (MOTA 33.33); video 1 is perfect: mean over joints of
    # 100 x (1 - 4 / 12) = 66.67
    assert in_memory['posetrack/MOTA'] == pytest.approx(200 / 3)


def test_format_only(tmp_path):
    ann = write(tmp_path / 'gt.json', gt_video(1))
    out = run_metric(
        ann,
        perfect_videos(),
        format_only=True,
        outfile_prefix=str(tmp_path / 'res'))
    assert out == {}
    assert os.listdir(tmp_path / 'res') == ['gt.json']
    with pytest.raises(ValueError, match='outfile_prefix'):
        PoseTrackMetric(ann_file=ann, format_only=True)


def test_predictions_of_unknown_images_are_refused(tmp_path):
    ann = write(tmp_path / 'gt.json', gt_video(1))
    with pytest.raises(KeyError, match='123'):
        run_metric(ann, [video_sample([frame_sample(123, [(7, A)])])])


def test_unpredicted_keypoints_are_written_as_zeros(tmp_path):
    from mmsolotrack.datasets.posetrack_json import prediction_annotation
    kpts = pose(A)
    kpts[3] = np.nan
    ann = prediction_annotation(5, 2, kpts, np.ones(K), ann_id=1)
    assert ann['keypoints'][9:12] == [0.0, 0.0, 0]
    assert ann['keypoints'][2] == 1


def test_results_of_a_file_with_two_videos_are_named_by_vid_id(tmp_path):
    both = gt_video(1)
    other = gt_video(2)
    both['images'] += other['images']
    both['annotations'] += other['annotations']
    videos = read_posetrack18(write(tmp_path / 'all.json', both))
    paths = write_posetrack_results(str(tmp_path / 'res'), videos, {})
    assert [os.path.basename(p) for p in paths] == [
        '000001.json', '000002.json']
    back = read_posetrack18(str(tmp_path / 'res'))
    assert [len(v['frames']) for v in back] == [3, 3]
    assert all(not f['people'] for v in back for f in v['frames'])


def test_frame_with_nobody_predicted(tmp_path):
    """A frame whose predictions are empty tensors (0, 0, 2) or (0, K, 2):
    no person, as if the frame were not predicted at all."""
    ann = write(tmp_path / 'gt.json', gt_video(1))
    metric = PoseTrackMetric(ann_file=ann)
    empty = DetDataSample(metainfo=dict(img_id=image_id(1, 0)))
    empty.pred_track_instances = InstanceData(
        keypoints=torch.zeros(0, 0, 2), keypoint_scores=torch.zeros(0, 0),
        instances_id=torch.zeros(0, dtype=torch.long))
    metric.process({}, [empty])
    out = metric.compute_metrics(metric.results)
    assert out == pytest.approx(metric.compute_metrics([]), nan_ok=True)
