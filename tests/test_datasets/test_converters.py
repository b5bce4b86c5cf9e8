# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Official YouTube-VIS json -> CocoVID, checked by hand and through mmdet's
real ``YouTubeVISDataset``."""
import copy
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from pycocotools import mask as mask_utils

from mmsolotrack.datasets.converters import (convert_ytvis_file,
                                             convert_ytvis_root,
                                             convert_ytvis_to_cocovid)
from mmsolotrack.testing.masks import box_mask
from mmsolotrack.testing.ytvis_json import (official_ytvis_json, write_json,
                                            write_ytvis_frames)
from ..conftest import REPO, load_tool

TOOL = osp.join(REPO, 'tools', 'dataset_converters', 'youtubevis2coco.py')
H, W = 40, 48

# video id -> frames; track -> (video, category, {frame: (x, y, w, h)})
VIDEOS = {3: 3, 7: 2}
TRACKS = [
    (3, 1, {0: (2, 3, 10, 8), 2: (20, 10, 12, 9)}),  # hidden in frame 1
    (3, 2, {0: (30, 20, 8, 15), 1: (28, 18, 9, 14), 2: (5, 25, 11, 6)}),
    (7, 1, {1: (15, 5, 20, 20)}),
]


def xywh_mask(box):
    """The (H, W) uint8 mask of an (x, y, w, h) box."""
    x, y, w, h = box
    return box_mask(H, W, x, y, x + w, y + h).astype(np.uint8)


def official_json(compressed_first=True):
    return official_ytvis_json(VIDEOS, TRACKS, (H, W),
                               compressed_first=compressed_first)


def test_convert_keys_and_counts():
    official = official_json()
    before = copy.deepcopy(official)
    out = convert_ytvis_to_cocovid(official)
    assert official == before  # input untouched
    assert set(out) >= {'videos', 'images', 'annotations', 'categories'}
    assert out['categories'] == official['categories']
    assert [(v['id'], v['name'], v['width'], v['height'])
            for v in out['videos']] == [(3, 'vid3', W, H), (7, 'vid7', W, H)]
    # one image per frame, ids from 1, frame ids per video
    assert len(out['images']) == sum(VIDEOS.values())
    assert [(im['id'], im['video_id'], im['frame_id'], im['file_name'])
            for im in out['images']] == [
                (1, 3, 0, 'vid3/00000.jpg'), (2, 3, 1, 'vid3/00005.jpg'),
                (3, 3, 2, 'vid3/00010.jpg'), (4, 7, 0, 'vid7/00000.jpg'),
                (5, 7, 1, 'vid7/00005.jpg')
            ]
    assert all((im['height'], im['width']) == (H, W) for im in out['images'])
    # one annotation per visible (instance, frame); None frames skipped
    expected = []
    image_of = {(im['video_id'], im['frame_id']): im['id']
                for im in out['images']}
    for k, (vid, cat, boxes) in enumerate(TRACKS):
        for t in sorted(boxes):
            expected.append((image_of[(vid, t)], vid, cat, k + 1,
                             list(map(float, boxes[t])),
                             boxes[t][2] * boxes[t][3]))
    got = [(a['image_id'], a['video_id'], a['category_id'], a['instance_id'],
            a['bbox'], a['area']) for a in out['annotations']]
    assert got == expected
    assert len(out['annotations']) == 6
    assert [a['id'] for a in out['annotations']] == list(range(1, 7))
    for a in out['annotations']:
        assert a['iscrowd'] == 0
        rle = a['segmentation']
        if isinstance(rle['counts'], list):
            rle = mask_utils.frPyObjects(rle, H, W)
        x, y, w, h = map(int, a['bbox'])
        np.testing.assert_array_equal(
            mask_utils.decode(rle), xywh_mask((x, y, w, h)))


def test_convert_without_annotations():
    official = official_json()
    del official['annotations']
    out = convert_ytvis_to_cocovid(official, has_annotations=False)
    assert len(out['images']) == 5 and out['annotations'] == []
    with pytest.raises(ValueError, match="'annotations'.*--no-annotations"):
        convert_ytvis_to_cocovid(official, source='valid.json')


@pytest.mark.parametrize('edit, pattern', [
    (lambda d: d.pop('videos'), "lacks the key 'videos'"),
    (lambda d: d.pop('categories'), "lacks the key 'categories'"),
    (lambda d: d['videos'][1].pop('file_names'),
     r"videos\[1\] lacks the key 'file_names'"),
    (lambda d: d['annotations'][0].pop('segmentations'),
     r"annotations\[0\] lacks the key 'segmentations'"),
    (lambda d: d['annotations'][1]['bboxes'].pop(),
     r"annotations\[1\] 'bboxes' has 2 entries but video 3 has 3"),
    (lambda d: d['annotations'][2].update(video_id=99), 'video_id 99'),
    (lambda d: d['annotations'][2].update(category_id=5), 'category_id 5'),
])
def test_bad_json_names_file_and_key(tmp_path, edit, pattern):
    official = official_json()
    edit(official)
    path = tmp_path / 'broken_train.json'
    write_json(official, path)
    with pytest.raises(ValueError, match=pattern) as info:
        convert_ytvis_file(str(path), str(tmp_path / 'out.json'))
    assert str(path) in str(info.value)
    assert not (tmp_path / 'out.json').exists()


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.json'):
        convert_ytvis_file(str(tmp_path / 'nope.json'))


def _tool_main(*args):
    """The tool's ``main`` in this process (a subprocess costs seconds of
    imports; one real subprocess run is in ``test_cli``)."""
    module = load_tool('dataset_converters', 'youtubevis2coco.py')
    return module.main([str(a) for a in args])


def test_cli(tmp_path):
    src, dst = tmp_path / 'train.json', tmp_path / 'out' / 'cocovid.json'
    write_json(official_json(), src)
    proc = subprocess.run(
        [sys.executable, TOOL, '-i', str(src), '-o', str(dst)],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=REPO),
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert '2 videos, 5 images, 6 annotations' in proc.stdout
    with open(dst) as f:
        assert json.load(f) == json.loads(
            json.dumps(convert_ytvis_to_cocovid(official_json())))


def test_cli_missing_key(tmp_path, capsys):
    broken = official_json()
    del broken['videos']
    write_json(broken, tmp_path / 'broken.json')
    with pytest.raises(SystemExit) as info:
        _tool_main('-i', tmp_path / 'broken.json', '-o', tmp_path / 'x.json')
    assert info.value.code != 0
    err = capsys.readouterr().err
    assert 'broken.json' in err and "'videos'" in err
    assert not (tmp_path / 'x.json').exists()
    with pytest.raises(SystemExit):  # -i without -o
        _tool_main('-i', tmp_path / 'broken.json')
    assert '-o/--output' in capsys.readouterr().err


def test_dataset_root_layouts(tmp_path, capsys):
    valid = official_json()
    del valid['annotations']
    root19 = tmp_path / 'ytvis19'
    write_json(official_json(), root19 / 'train.json')
    write_json(valid, root19 / 'valid.json')
    done = convert_ytvis_root(str(root19), '2019')
    assert sorted(done) == ['train', 'valid']
    with open(root19 / 'annotations' / 'youtube_vis_2019_train.json') as f:
        assert len(json.load(f)['annotations']) == 6
    with open(root19 / 'annotations' / 'youtube_vis_2019_valid.json') as f:
        assert json.load(f)['annotations'] == []
    # 2021 and OVIS names, through the CLI
    root21 = tmp_path / 'ytvis21'
    write_json(official_json(), root21 / 'train' / 'instances.json')
    assert _tool_main('--dataset-root', root21, '--version', '2021') == 0
    assert (root21 / 'annotations' / 'youtube_vis_2021_train.json').is_file()
    ovis = tmp_path / 'ovis'
    write_json(valid, ovis / 'annotations_valid.json')
    assert _tool_main('--dataset-root', ovis, '--version', 'ovis', '-o',
                      tmp_path / 'ovis_out') == 0
    assert (tmp_path / 'ovis_out' / 'ovis_valid.json').is_file()
    # an empty root: error naming what was looked for
    (tmp_path / 'empty').mkdir()
    with pytest.raises(SystemExit):
        _tool_main('--dataset-root', tmp_path / 'empty', '--version', '2019')
    assert 'train.json' in capsys.readouterr().err


def test_mmdet_youtubevis_dataset_loads_output(tmp_path):
    from mmdet.datasets import YouTubeVISDataset
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')
    write_ytvis_frames(tmp_path / 'JPEGImages', VIDEOS, (H, W))
    write_json(official_json(), tmp_path / 'train.json')
    ann_file = tmp_path / 'cocovid.json'
    convert_ytvis_file(str(tmp_path / 'train.json'), str(ann_file))

    dataset = YouTubeVISDataset(
        dataset_version='2019',
        ann_file=str(ann_file),
        data_prefix=dict(img_path=str(tmp_path / 'JPEGImages')),
        pipeline=[],
        test_mode=False)
    assert len(dataset) == 2
    # video 3 keeps its 3 frames; instance ids stay constant along a track
    video = dataset.get_data_info(0)
    assert video['video_id'] == 3 and video['video_length'] == 3
    per_frame = [{i['instance_id']: i['bbox']
                  for i in img['instances']} for img in video['images']]
    assert [sorted(f) for f in per_frame] == [[1, 2], [2], [1, 2]]
    assert per_frame[2][1] == [20.0, 10.0, 32.0, 19.0]  # xyxy
    assert per_frame[1][2] == [28.0, 18.0, 37.0, 32.0]
    labels = [i['bbox_label'] for i in video['images'][0]['instances']]
    assert labels == [0, 1]  # person, giant_panda in the 2019 class list

    # video-level test mode through mmdet's real loading transforms
    test_set = YouTubeVISDataset(
        dataset_version='2019',
        ann_file=str(ann_file),
        data_prefix=dict(img_path=str(tmp_path / 'JPEGImages')),
        pipeline=[
            dict(type='TransformBroadcaster', transforms=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadTrackAnnotations', with_mask=True)
            ])
        ],
        test_mode=True)
    out = test_set[0]
    assert len(out['img']) == 3 and out['img'][0].shape == (H, W, 3)
    for t in range(3):
        ids = list(out['gt_instances_ids'][t])
        masks = out['gt_masks'][t].to_ndarray()
        for k, (track_vid, _, boxes) in enumerate(TRACKS):
            if track_vid != 3 or t not in boxes:
                assert k + 1 not in ids
                continue
            np.testing.assert_array_equal(masks[ids.index(k + 1)],
                                          xywh_mask(boxes[t]))
