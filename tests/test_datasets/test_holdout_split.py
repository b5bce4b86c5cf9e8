# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The held-out split of the annotated train videos: disjoint, complete,
the same per seed, and evaluable by our dataset and YouTube-VIS metric."""
import json
import math
import os.path as osp
import random
import re

import pytest
import torch
from mmdet.structures.mask import mask2bbox
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

from mmsolotrack.datasets.converters import (HOLDOUT_PARTS,
                                             convert_holdout_file,
                                             convert_ytvis_root, holdout_paths,
                                             holdout_video_ids, split_holdout)
from mmsolotrack.evaluation import YouTubeVISMetric
from mmsolotrack.registry import DATASETS
from mmsolotrack.testing.vis_samples import run_metric
from mmsolotrack.testing.ytvis_json import (official_ytvis_json, write_json,
                                            write_ytvis_frames)
from ..conftest import REPO, load_tool

H, W = 32, 40
# 12 videos (ids not contiguous) of 2 or 3 frames, one or two tracks each
VIDEOS = {
    vid: 2 + vid % 2
    for vid in (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233)
}
TRACKS = [(vid, 1 + k % 2, {
    t: (2 + 3 * t + 16 * k, 4 + 9 * k, 12, 10)
    for t in range(n)
}) for vid, n in VIDEOS.items() for k in range(1 + vid % 2)]


def _official():
    return official_ytvis_json(VIDEOS, TRACKS, (H, W))


def _tool_main(*args):
    module = load_tool('dataset_converters', 'youtubevis2coco.py')
    return module.main([str(a) for a in args])


def _read(path):
    with open(path) as f:
        return json.load(f)


# --------------------------------------------------------------------------
# Which videos are held out
# --------------------------------------------------------------------------


@pytest.mark.parametrize('fraction', [0.01, 0.1, 0.25, 0.5, 0.9, 0.99])
def test_holdout_size_and_determinism(fraction):
    ids = list(VIDEOS)
    held = holdout_video_ids(ids, fraction, seed=3)
    want = max(1, min(len(ids) - 1, math.floor(fraction * len(ids) + 0.5)))
    assert len(held) == want and held == sorted(held)
    assert set(held) <= set(ids)
    assert holdout_video_ids(ids, fraction, seed=3) == held
    # a function of the set of ids, not of their order in the json
    shuffled = ids[:]
    random.Random(0).shuffle(shuffled)
    assert holdout_video_ids(shuffled, fraction, seed=3) == held


def test_another_seed_gives_another_split():
    ids = list(range(1, 101))
    splits = {tuple(holdout_video_ids(ids, 0.2, seed)) for seed in range(5)}
    assert len(splits) == 5
    assert holdout_video_ids(ids, 0.2, 0) != holdout_video_ids(ids, 0.2, 1)
    # and the default seed is 0
    assert holdout_video_ids(ids, 0.2) == holdout_video_ids(ids, 0.2, 0)


@pytest.mark.parametrize(
    'fraction', [0, 1, -0.1, 1.5, 0.0, 1.0,
                 float('nan'), True, '0.1', None])
def test_fraction_outside_open_unit_interval_is_refused(fraction):
    with pytest.raises(ValueError,
                       match=r'fraction must be a number in '
                       r'\(0, 1\)'):
        holdout_video_ids(list(VIDEOS), fraction, 0)
    with pytest.raises(ValueError, match=r'train\.json.*\(0, 1\)'):
        split_holdout(_official(), fraction, 0, source='train.json')


def test_too_few_videos_and_bad_seed_are_refused():
    with pytest.raises(ValueError, match='at least 2'):
        holdout_video_ids([7], 0.5, 0)
    with pytest.raises(ValueError, match='repeat'):
        holdout_video_ids([7, 7, 8], 0.5, 0)
    with pytest.raises(ValueError, match='seed must be an int'):
        holdout_video_ids([7, 8], 0.5, '0')
    official = _official()
    del official['annotations']
    with pytest.raises(ValueError, match="'annotations'"):
        split_holdout(official, 0.5, 0)


# --------------------------------------------------------------------------
# The two parts
# --------------------------------------------------------------------------


@pytest.mark.parametrize('seed', [0, 1, 7])
def test_parts_are_disjoint_and_cover_the_train_videos(seed):
    official = _official()
    before = json.dumps(official)
    rest, held = split_holdout(official, 0.25, seed)
    assert json.dumps(official) == before  # input untouched
    rest_ids = {v['id'] for v in rest['videos']}
    held_ids = {v['id'] for v in held['videos']}
    assert held_ids == set(holdout_video_ids(list(VIDEOS), 0.25, seed))
    assert len(held_ids) == 3 and rest_ids.isdisjoint(held_ids)
    assert rest_ids | held_ids == set(VIDEOS)
    # every track goes with its video, none is lost or copied
    assert {a['video_id'] for a in held['annotations']} <= held_ids
    assert {a['video_id'] for a in rest['annotations']} <= rest_ids
    assert sorted(
        a['id'] for a in rest['annotations'] + held['annotations']) == sorted(
            a['id'] for a in official['annotations'])
    for part, name in zip((rest, held), HOLDOUT_PARTS):
        assert part['categories'] == official['categories']
        assert part['info']['description'] == 'test'
        assert part['info']['holdout'] == dict(
            part=name,
            fraction=0.25,
            seed=seed,
            video_ids=sorted(v['id'] for v in part['videos']))


def test_holdout_paths():
    assert holdout_paths('a/youtube_vis_2019_train.json') == (
        'a/youtube_vis_2019_train_minus_holdout.json',
        'a/youtube_vis_2019_train_holdout.json')


def test_convert_holdout_file_writes_two_disjoint_cocovid_files(tmp_path):
    src = tmp_path / 'train.json'
    write_json(_official(), src)
    done = convert_holdout_file(str(src),
                                str(tmp_path / 'out' / 'tr.json'),
                                0.25,
                                seed=5)
    assert list(done) == list(HOLDOUT_PARTS)
    rest = _read(tmp_path / 'out' / 'tr_minus_holdout.json')
    held = _read(tmp_path / 'out' / 'tr_holdout.json')
    assert (rest, held) == (done['train_minus_holdout'][1], done['holdout'][1])
    assert not (tmp_path / 'out' / 'tr.json').exists()  # only the parts
    # CocoVID: images and annotations follow their videos
    for part in (rest, held):
        vids = {v['id'] for v in part['videos']}
        assert {im['video_id'] for im in part['images']} == vids
        assert len(part['images']) == sum(VIDEOS[v] for v in vids)
        assert {a['video_id'] for a in part['annotations']} <= vids
        assert len(part['annotations']) == sum(
            len(boxes) for vid, _, boxes in TRACKS if vid in vids)
    held_vids = {v['id'] for v in held['videos']}
    rest_vids = {v['id'] for v in rest['videos']}
    assert held_vids.isdisjoint(rest_vids)
    assert held_vids | rest_vids == set(VIDEOS)
    assert sorted(held_vids) == holdout_video_ids(list(VIDEOS), 0.25, 5)


# --------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------


def test_cli_same_seed_same_files_other_seed_other_split(tmp_path, capsys):
    src = tmp_path / 'train.json'
    write_json(_official(), src)
    outs = {}
    for run, seed in (('a', 1), ('b', 1), ('c', 2)):
        out = tmp_path / run / 'train_cocovid.json'
        assert _tool_main('-i', src, '-o', out, '--holdout-fraction', 0.3,
                          '--holdout-seed', seed) == 0
        assert out.is_file()  # the whole train file, as without a holdout
        outs[run] = [(tmp_path / run / name).read_text()
                     for name in ('train_cocovid_minus_holdout.json',
                                  'train_cocovid_holdout.json')]
    printed = capsys.readouterr().out
    assert 'holdout (fraction 0.3, seed 1)' in printed
    assert outs['a'] == outs['b']
    assert outs['a'][1] != outs['c'][1]
    held = json.loads(outs['a'][1])
    assert len(held['videos']) == 4  # round(0.3 * 12)


def test_cli_dataset_root_writes_the_parts_beside_train(tmp_path):
    root = tmp_path / 'youtube_vis_2019'
    write_json(_official(), root / 'train.json')
    assert _tool_main('--dataset-root', root, '--version', '2019',
                      '--holdout-fraction', 0.25) == 0
    ann = root / 'annotations'
    full = _read(ann / 'youtube_vis_2019_train.json')
    rest = _read(ann / 'youtube_vis_2019_train_minus_holdout.json')
    held = _read(ann / 'youtube_vis_2019_train_holdout.json')
    assert len(full['videos']) == 12
    assert len(rest['videos']) + len(held['videos']) == 12
    assert held['info']['holdout']['seed'] == 0  # the default seed


@pytest.mark.parametrize('extra, said', [
    (['--holdout-fraction', '1'], r'\(0, 1\)'),
    (['--holdout-fraction', '0'], r'\(0, 1\)'),
    (['--holdout-fraction', '-0.5'], r'\(0, 1\)'),
    (['--holdout-seed', '3'], '--holdout-seed needs --holdout-fraction'),
    (['--holdout-fraction', '0.2', '--no-annotations'], 'no-annotations'),
])
def test_cli_refuses_bad_holdout_options_before_writing(
        tmp_path, capsys, extra, said):
    src = tmp_path / 'train.json'
    write_json(_official(), src)
    with pytest.raises(SystemExit) as info:
        _tool_main('-i', src, '-o', tmp_path / 'out' / 'x.json', *extra)
    assert info.value.code != 0
    assert said.replace('\\', '') in capsys.readouterr().err
    assert not (tmp_path / 'out').exists()


def test_cli_dataset_root_refuses_bad_fraction_before_writing(
        tmp_path, capsys):
    root = tmp_path / 'youtube_vis_2019'
    write_json(_official(), root / 'train.json')
    with pytest.raises(SystemExit):
        _tool_main('--dataset-root', root, '--version', '2019',
                   '--holdout-fraction', 1.5)
    assert '(0, 1)' in capsys.readouterr().err
    assert not (root / 'annotations').exists()
    with pytest.raises(ValueError, match=r'\(0, 1\)'):  # the API alike
        convert_ytvis_root(str(root), '2019', holdout_fraction=0)
    assert not (root / 'annotations').exists()
    # a root without the train json cannot be split
    valid = _official()
    del valid['annotations']
    other = tmp_path / 'only_valid'
    write_json(valid, other / 'valid.json')
    with pytest.raises(SystemExit):
        _tool_main('--dataset-root', other, '--version', '2019',
                   '--holdout-fraction', 0.5)
    assert 'needs the train json' in capsys.readouterr().err


# --------------------------------------------------------------------------
# What the holdout is for: AP measured on it
# --------------------------------------------------------------------------


def test_holdout_is_read_by_our_dataset_and_scored_by_our_metric(tmp_path):
    write_ytvis_frames(tmp_path / 'train' / 'JPEGImages', VIDEOS, (H, W))
    write_json(_official(), tmp_path / 'train.json')
    ann = tmp_path / 'annotations' / 'youtube_vis_2019_train.json'
    convert_holdout_file(str(tmp_path / 'train.json'), str(ann), 0.25, 0)
    init_default_scope('mmsolotrack')
    dataset = DATASETS.build(
        dict(type='CheckedYouTubeVISDataset',
             dataset_version='2019',
             data_root=str(tmp_path),
             ann_file='annotations/youtube_vis_2019_train_holdout.json',
             data_prefix=dict(img_path='train/JPEGImages'),
             test_mode=True,
             pipeline=[
                 dict(type='mmdet.TransformBroadcaster',
                      transforms=[
                          dict(type='mmdet.LoadImageFromFile'),
                          dict(type='mmdet.LoadTrackAnnotations',
                               with_mask=True)
                      ]),
                 dict(type='mmdet.PackTrackInputs')
             ]))
    held = holdout_video_ids(list(VIDEOS), 0.25, 0)
    assert len(dataset) == len(held)
    assert sorted(
        dataset.get_data_info(i)['video_id']
        for i in range(len(dataset))) == held

    # the ground truth as predictions: AP 1; nothing predicted: AP 0
    perfect, empty = [], []
    for i in range(len(dataset)):
        video = dataset[i]['data_samples']
        assert len(video) == VIDEOS[video[0].video_id]
        for frame in video.video_data_samples:
            gt = frame.gt_instances
            assert len(gt) > 0
            masks = torch.from_numpy(gt.masks.to_ndarray()).bool()
            frame.pred_track_instances = InstanceData(
                masks=masks,
                bboxes=mask2bbox(masks),
                scores=torch.ones(len(gt)),
                labels=gt.labels,
                instances_id=gt.instances_ids)
        perfect.append(video)
        blank = video.clone()
        for frame in blank.video_data_samples:
            frame.pred_track_instances = frame.pred_track_instances[:0]
        empty.append(blank)
    classes = dataset.metainfo['classes']
    res = run_metric(YouTubeVISMetric(), perfect, classes)
    assert res['youtube_vis/segm_AP'] == pytest.approx(1.0)
    res = run_metric(YouTubeVISMetric(), empty, classes)
    assert res['youtube_vis/segm_AP'] == pytest.approx(0.0)


def _datasets(cfg):
    """Every dataset config inside a (Concat)Dataset config, depth first."""
    if cfg.get('type') == 'ConcatDataset':
        return [d for sub in cfg['datasets'] for d in _datasets(sub)]
    return [cfg]


def test_the_documented_holdout_configs(tmp_path):
    """The configs of docs/dataset_preparation.md train on the train videos
    minus the holdout only, and test (AP, not a submission) on the holdout
    videos, which they read from the train frames."""
    with open(osp.join(REPO, 'docs', 'dataset_preparation.md')) as f:
        blocks = re.findall(r'```python\n(# holdout config.*?)```', f.read(),
                            re.S)
    assert len(blocks) == 2
    write_ytvis_frames(tmp_path / 'train' / 'JPEGImages', VIDEOS, (H, W))
    write_json(_official(), tmp_path / 'train.json')
    convert_holdout_file(
        str(tmp_path / 'train.json'),
        str(tmp_path / 'annotations' / 'youtube_vis_2019_train.json'), 0.25)
    held = holdout_video_ids(list(VIDEOS), 0.25)
    init_default_scope('mmsolotrack')
    for i, block in enumerate(blocks):
        path = tmp_path / f'holdout_{i}.py'
        path.write_text(block)
        cfg = Config.fromfile(str(path))
        train = _datasets(cfg.train_dataloader.dataset)
        ytvis = [d for d in train if d.type != 'CocoYTVISDataset']
        assert [d.type for d in ytvis
                ] == ['VideoFrameDataset',
                      'UnlabeledVideoDataset'][:len(ytvis)]
        assert len(ytvis) == 1 + i
        for d in ytvis:
            assert d.ann_file == ('annotations/'
                                  'youtube_vis_2019_train_minus_holdout.json')
        coco = [d for d in train if d.type == 'CocoYTVISDataset']
        assert [d.ann_file
                for d in coco] == ['annotations/instances_train2017.json']
        for loader in ('val', 'test'):
            test_set = cfg[f'{loader}_dataloader'].dataset
            assert test_set.ann_file == \
                'annotations/youtube_vis_2019_train_holdout.json'
            assert test_set.data_prefix.img_path == 'train/JPEGImages'
            assert cfg[f'{loader}_evaluator'].format_only is False
        # built on a miniature data root: exactly the videos of each part
        test_set = DATASETS.build(
            dict(cfg.test_dataloader.dataset, data_root=str(tmp_path)))
        assert sorted(
            test_set.get_data_info(j)['video_id']
            for j in range(len(test_set))) == held
        if i == 1:
            videos = DATASETS.build(dict(ytvis[1], data_root=str(tmp_path)))
            assert len(videos) == len(VIDEOS) - len(held)
