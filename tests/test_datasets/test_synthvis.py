# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SynthVIS: layout, determinism, occlusion, validation, and that identity
matters (mask IoU loses identities that appearance recovers)."""
import json
import os
import os.path as osp
import subprocess
import sys
from collections import Counter

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils
from scipy.optimize import linear_sum_assignment

from mmsolotrack.datasets.synthvis import (SYNTHVIS_CLASSES, SYNTHVIS_PALETTE,
                                           SynthVISConfig, generate_synthvis)
from mmsolotrack.datasets.synthvis.background import sample_lighting
from mmsolotrack.datasets.synthvis.motion import Track
from mmsolotrack.datasets.synthvis.render import render_frame
from mmsolotrack.datasets.synthvis.scene import Scene, SceneObject
from mmsolotrack.datasets.synthvis.shapes import (rasterize_polygon,
                                                  shape_polygon)
from mmsolotrack.datasets.synthvis.textures import Texture

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL = dict(num_train=2, num_unlabeled=2, num_val=2, num_frames=4,
             height=64, width=96, min_object_size=12, max_object_size=28,
             exit_margin=16, background_blobs=6)


def all_files(root):
    out = {}
    for dirpath, _, names in os.walk(root):
        for name in names:
            path = osp.join(dirpath, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, root)] = f.read()
    return out


def load_split(root, split):
    """Official json, and per video: images (BGR float) and masks[i][t]."""
    with open(osp.join(root, split, 'instances.json')) as f:
        official = json.load(f)
    videos = []
    for video in official['videos']:
        tracks = [a for a in official['annotations']
                  if a['video_id'] == video['id']]
        images = [
            cv2.imread(osp.join(root, split, 'JPEGImages',
                                fn)).astype(np.float64)
            for fn in video['file_names']
        ]
        masks = [[None if s is None else mask_utils.decode(s).astype(bool)
                  for s in t['segmentations']] for t in tracks]
        cats = [t['category_id'] for t in tracks]
        videos.append(dict(images=images, masks=masks, cats=cats))
    return official, videos


@pytest.fixture(scope='module')
def small_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('small') / 'synthvis'
    summary = generate_synthvis(str(root), SynthVISConfig(seed=0, **SMALL),
                                progress=False)
    return str(root), summary


@pytest.fixture(scope='module')
def default_val(tmp_path_factory):
    """The val split of the default config (videos do not depend on the
    other splits' sizes, so skipping train/unlabeled gives the same val)."""
    root = tmp_path_factory.mktemp('default') / 'synthvis'
    generate_synthvis(str(root), SynthVISConfig(num_train=0, num_unlabeled=0),
                      progress=False)
    return load_split(str(root), 'val')


def test_exports():
    assert len(SYNTHVIS_CLASSES) >= 4
    assert len(SYNTHVIS_PALETTE) == len(SYNTHVIS_CLASSES)
    assert len(set(SYNTHVIS_CLASSES)) == len(SYNTHVIS_CLASSES)


def test_deterministic_per_seed(tmp_path):
    cfg = SynthVISConfig(seed=7, **SMALL)
    generate_synthvis(str(tmp_path / 'a'), cfg, progress=False)
    generate_synthvis(str(tmp_path / 'b'), cfg, progress=False)
    a, b = all_files(tmp_path / 'a'), all_files(tmp_path / 'b')
    assert sorted(a) == sorted(b)
    assert len(a) > 20
    for name in a:
        assert a[name] == b[name], name
    generate_synthvis(
        str(tmp_path / 'c'), SynthVISConfig(seed=8, **SMALL), progress=False)
    c = all_files(tmp_path / 'c')
    jpgs = [n for n in a if n.endswith('.jpg')]
    assert sum(a[n] != c.get(n) for n in jpgs) > len(jpgs) // 2
    assert a['train/instances.json'] != c['train/instances.json']


def test_val_independent_of_other_split_sizes(tmp_path):
    small = dict(SMALL, num_train=1, num_unlabeled=0)
    generate_synthvis(str(tmp_path / 'a'), SynthVISConfig(**small),
                      progress=False)
    generate_synthvis(str(tmp_path / 'b'),
                      SynthVISConfig(**dict(small, num_train=3)),
                      progress=False)
    a, b = all_files(tmp_path / 'a' / 'val'), all_files(tmp_path / 'b' / 'val')
    assert a == b


def test_layout(small_root):
    root, summary = small_root
    for rel in ('train/instances.json', 'val/instances.json',
                'annotations/synthvis_train.json',
                'annotations/synthvis_val.json', 'meta.json'):
        assert osp.isfile(osp.join(root, rel)), rel
    assert summary['official']['val'] == osp.join(root, 'val',
                                                  'instances.json')
    assert summary['cocovid']['train'] == osp.join(
        root, 'annotations', 'synthvis_train.json')
    # unlabeled: frames only, no annotation file anywhere
    unlabeled = all_files(osp.join(root, 'unlabeled'))
    assert len(unlabeled) == SMALL['num_unlabeled'] * SMALL['num_frames']
    assert all(n.startswith('JPEGImages') and n.endswith('.jpg')
               for n in unlabeled)
    assert sorted(os.listdir(osp.join(root, 'unlabeled', 'JPEGImages'))) == [
        'unlabeled_0000', 'unlabeled_0001'
    ]
    with open(osp.join(root, 'meta.json')) as f:
        meta = json.load(f)
    assert meta['seed'] == 0 and meta['version']
    assert meta['config']['height'] == SMALL['height']
    assert meta['classes'] == list(SYNTHVIS_CLASSES)

    h, w, stride = SMALL['height'], SMALL['width'], 5
    for split in ('train', 'val'):
        with open(osp.join(root, split, 'instances.json')) as f:
            official = json.load(f)
        assert {'videos', 'annotations', 'categories'} <= set(official)
        assert [c['name'] for c in official['categories']] == list(
            SYNTHVIS_CLASSES)
        assert [c['id'] for c in official['categories']
                ] == list(range(1, len(SYNTHVIS_CLASSES) + 1))
        assert len(official['videos']) == SMALL[f'num_{split}']
        lengths = {}
        for i, video in enumerate(official['videos']):
            name = f'{split}_{i:04d}'
            assert video['file_names'] == [
                f'{name}/{k * stride:05d}.jpg'
                for k in range(SMALL['num_frames'])
            ]
            assert video['length'] == SMALL['num_frames']
            assert (video['height'], video['width']) == (h, w)
            for fn in video['file_names']:
                img = cv2.imread(osp.join(root, split, 'JPEGImages', fn))
                assert img is not None and img.shape == (h, w, 3), fn
            lengths[video['id']] = video['length']
        assert official['annotations']
        num_visible = 0
        for ann in official['annotations']:
            n = lengths[ann['video_id']]
            assert len(ann['segmentations']) == len(ann['bboxes']) == len(
                ann['areas']) == n
            assert any(s is not None for s in ann['segmentations'])
            for segm, bbox, area in zip(ann['segmentations'], ann['bboxes'],
                                        ann['areas']):
                if segm is None:
                    assert bbox is None and area is None
                    continue
                num_visible += 1
                assert isinstance(segm['counts'], str)
                mask = mask_utils.decode(segm).astype(bool)
                assert mask.shape == (h, w)
                assert mask.sum() == area > 0
                ys, xs = np.nonzero(mask)
                assert bbox == [xs.min(), ys.min(), xs.max() - xs.min() + 1,
                                ys.max() - ys.min() + 1]
        with open(osp.join(root, 'annotations',
                           f'synthvis_{split}.json')) as f:
            cocovid = json.load(f)
        assert len(cocovid['images']) == sum(lengths.values())
        assert len(cocovid['annotations']) == num_visible
        assert summary['num_annotations'][split] == num_visible


def test_no_pixel_in_two_masks(default_val):
    _, videos = default_val
    frames = 0
    for video in videos:
        for t in range(len(video['images'])):
            stack = [m[t] for m in video['masks'] if m[t] is not None]
            if len(stack) >= 2:
                frames += 1
                assert np.sum(stack, axis=0).max() == 1
    assert frames > 10


def _plain_texture(rgb):
    return Texture('stripes', 1.0, 0.0, 0.0, rgb, rgb)


def _still_track(x, y, steps=1):
    return Track(
        np.tile([[x, y]], (steps, 1)).astype(float), np.zeros(steps),
        np.ones(steps), np.ones(steps), np.ones(steps))


def test_depth_order_removes_hidden_pixels():
    """A nearer square cuts its pixels out of the farther one's mask."""
    h, w = 48, 64
    far = SceneObject(1, 14.0, 0, _plain_texture((1.0, 0.0, 0.0)),
                      _still_track(24, 24))
    near = SceneObject(1, 14.0, 1, _plain_texture((0.0, 0.0, 1.0)),
                       _still_track(36, 24))
    lighting = sample_lighting(np.random.default_rng(0), 0.0)
    scene = Scene([near, far], np.zeros((h, w, 3), np.float32), None,
                  lighting, None)
    image, labels = render_frame(scene, 0, np.random.default_rng(0), 0.0)
    full_far = rasterize_polygon(
        shape_polygon('square', (24, 24), 14.0, 0.0, 1.0), h, w)
    full_near = rasterize_polygon(
        shape_polygon('square', (36, 24), 14.0, 0.0, 1.0), h, w)
    assert (full_far & full_near).sum() > 50
    np.testing.assert_array_equal(labels == 1, full_near)
    np.testing.assert_array_equal(labels == 2, full_far & ~full_near)
    # the overlap shows the nearer (blue) object
    overlap = full_far & full_near
    assert (image[overlap][:, 2] > 200).all()
    assert (image[overlap][:, 0] < 50).all()


def _link_accuracy(videos, score, min_score):
    """Fraction of consecutive-frame links of same-category objects that a
    per-category Hungarian assignment on ``score`` gets right."""
    right = total = 0
    for video in videos:
        cats = Counter(video['cats'])
        masks, images = video['masks'], video['images']
        for t in range(len(images) - 1):
            for cat, count in cats.items():
                if count < 2:
                    continue
                prev = [i for i, c in enumerate(video['cats'])
                        if c == cat and masks[i][t] is not None]
                curr = [j for j, c in enumerate(video['cats'])
                        if c == cat and masks[j][t + 1] is not None]
                if not prev or not curr:
                    continue
                s = np.array([[score(video, i, j, t) for j in curr]
                              for i in prev])
                rows, cols = linear_sum_assignment(-s)
                match = {prev[r]: curr[c] for r, c in zip(rows, cols)
                         if s[r, c] > min_score}
                for i in set(prev) & set(curr):
                    total += 1
                    right += match.get(i) == i
    return right / total, total


def _iou(video, i, j, t):
    a, b = video['masks'][i][t], video['masks'][j][t + 1]
    return (a & b).sum() / (a | b).sum()


def _colour_similarity(video, i, j, t):
    a = video['images'][t][video['masks'][i][t]].mean(axis=0)
    b = video['images'][t + 1][video['masks'][j][t + 1]].mean(axis=0)
    return -np.linalg.norm(a - b)


def test_identity_matters(default_val):
    """The key property: mask IoU between consecutive saved frames loses
    identities that the instance's mean colour recovers."""
    official, videos = default_val
    iou_acc, links = _link_accuracy(videos, _iou, 0.1)
    app_acc, links2 = _link_accuracy(videos, _colour_similarity, -np.inf)
    assert links == links2 >= 40
    assert 1 - iou_acc >= 0.15, iou_acc
    assert app_acc >= 0.85, app_acc
    assert app_acc >= iou_acc + 0.2, (app_acc, iou_acc)


def test_hard_cases_present(default_val):
    official, videos = default_val
    # >= 60% of videos have two objects of one category
    dup = [max(Counter(v['cats']).values()) >= 2 for v in videos]
    assert np.mean(dup) >= 0.6
    zero = links = swaps = hidden_then_back = enters = leaves = 0
    for video in videos:
        masks, n = video['masks'], len(video['images'])
        for track in masks:
            seen = [t for t in range(n) if track[t] is not None]
            enters += seen[0] > 0
            leaves += seen[-1] < n - 1
            hidden_then_back += any(b - a >= 3 for a, b in zip(seen, seen[1:]))
            for t in range(n - 1):
                if track[t] is not None and track[t + 1] is not None:
                    links += 1
                    zero += not (track[t] & track[t + 1]).any()
        for t in range(n - 1):  # a same-category object takes another's place
            for i, a in enumerate(masks):
                for j, b in enumerate(masks):
                    if (i != j and video['cats'][i] == video['cats'][j]
                            and a[t] is not None and b[t + 1] is not None
                            and a[t + 1] is not None
                            and _iou(video, i, j, t) > 0.1
                            and _iou(video, i, j, t) > _iou(video, i, i, t)):
                        swaps += 1
    assert zero / links >= 0.15  # displacement larger than the object
    assert hidden_then_back >= 2  # fully hidden >= 2 saved frames, back
    assert enters >= 2 and leaves >= 2
    assert swaps >= 2
    # cluttered background that differs per video
    firsts = [v['images'][0].mean(axis=(0, 1)) for v in videos]
    assert min(np.abs(firsts[0] - f).max() for f in firsts[1:]) > 1.0
    assert all(v['images'][0].std() > 3.0 for v in videos)


@pytest.mark.parametrize('kwargs, name', [
    (dict(num_frames=0), 'num_frames'),
    (dict(num_train=0, num_unlabeled=0, num_val=0), 'num_val'),
    (dict(max_object_size=100, height=64), 'max_object_size'),
    (dict(min_objects=4, max_objects=3), 'min_objects'),
    (dict(frame_stride=0), 'frame_stride'),
    (dict(num_train=-1), 'num_train'),
    (dict(min_speed=-0.5), 'min_speed'),
    (dict(height=16), 'height'),
    (dict(width=31), 'width'),
    (dict(seed=-3), 'seed'),
    (dict(swap_prob=1.5), 'swap_prob'),
    (dict(num_frames=2.5), 'num_frames'),
    (dict(jpeg_quality=0), 'jpeg_quality'),
])
def test_invalid_parameters(tmp_path, kwargs, name):
    with pytest.raises(ValueError, match=name):
        SynthVISConfig(**kwargs)
    # a config made invalid after construction is caught before writing
    cfg = SynthVISConfig(**SMALL)
    for key, value in kwargs.items():
        setattr(cfg, key, value)
    out = tmp_path / 'out'
    with pytest.raises(ValueError, match=name):
        generate_synthvis(str(out), cfg, progress=False)
    assert not out.exists()


def test_out_dir_protection(tmp_path):
    cfg = SynthVISConfig(**dict(SMALL, num_train=1, num_unlabeled=0,
                                num_val=0, num_frames=2))
    other = tmp_path / 'other'
    other.mkdir()
    (other / 'keep.txt').write_text('x')
    for overwrite in (False, True):
        with pytest.raises(FileExistsError, match='other'):
            generate_synthvis(str(other), cfg, progress=False,
                              overwrite=overwrite)
    assert sorted(os.listdir(other)) == ['keep.txt']
    out = tmp_path / 'sv'
    generate_synthvis(str(out), SynthVISConfig(**dict(SMALL, num_frames=2)),
                      progress=False)
    with pytest.raises(FileExistsError, match='overwrite'):
        generate_synthvis(str(out), cfg, progress=False)
    generate_synthvis(str(out), cfg, progress=False, overwrite=True)
    assert os.listdir(out / 'val' / 'JPEGImages') == []  # stale videos gone
    assert len(os.listdir(out / 'train' / 'JPEGImages')) == 1


def test_progress_bars(tmp_path, capsys):
    cfg = SynthVISConfig(**dict(SMALL, num_frames=1))
    generate_synthvis(str(tmp_path / 'a'), cfg, progress=False)
    assert capsys.readouterr().err == ''
    generate_synthvis(str(tmp_path / 'b'), cfg, progress=True)
    err = capsys.readouterr().err
    for split in ('train', 'unlabeled', 'val'):
        assert f'SynthVIS {split}' in err


def _run(args):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli(tmp_path):
    out = tmp_path / 'sv'
    proc = _run([
        '-m', 'mmsolotrack.datasets.synthvis', '--out', str(out), '--seed',
        '3', '--num-train', '1', '--num-unlabeled', '1', '--num-val', '1',
        '--num-frames', '2', '--height', '48', '--width', '64',
        '--min-object-size', '10', '--max-object-size', '20',
        '--no-progress'
    ])
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    with open(out / 'meta.json') as f:
        meta = json.load(f)
    assert meta['seed'] == 3 and meta['config']['width'] == 64
    assert osp.isfile(out / 'val' / 'JPEGImages' / 'val_0000' / '00005.jpg')


def test_cli_rejects_bad_values(tmp_path, capsys):
    from mmsolotrack.datasets.synthvis.__main__ import main
    bad = tmp_path / 'bad'
    with pytest.raises(SystemExit) as info:
        main(['--out', str(bad), '--num-frames', '0', '--no-progress'])
    assert info.value.code != 0
    assert 'num_frames' in capsys.readouterr().err
    assert not bad.exists()


def test_mmdet_youtubevis_dataset_reads_cocovid(small_root):
    from mmdet.datasets import YouTubeVISDataset
    root, summary = small_root
    dataset = YouTubeVISDataset(
        dataset_version='2019',
        metainfo=dict(classes=SYNTHVIS_CLASSES),
        ann_file=summary['cocovid']['val'],
        data_prefix=dict(img_path=summary['image_dirs']['val']),
        pipeline=[],
        test_mode=True)
    assert len(dataset) == SMALL['num_val']
    with open(summary['official']['val']) as f:
        official = json.load(f)
    for v, video in enumerate(official['videos']):
        info = dataset.get_data_info(v)
        assert info['video_length'] == SMALL['num_frames']
        tracks = [a for a in official['annotations']
                  if a['video_id'] == video['id']]
        for t, frame in enumerate(info['images']):
            assert osp.isfile(frame['img_path'])
            visible = [a for a in tracks if a['bboxes'][t] is not None]
            assert len(frame['instances']) == len(visible)
            for inst, ann in zip(frame['instances'], visible):
                x, y, w, h = ann['bboxes'][t]
                assert inst['bbox'] == [x, y, x + w, y + h]
                assert inst['bbox_label'] == ann['category_id'] - 1


def test_splits_never_share_a_video(small_root):
    """No video of train / unlabeled / val appears in another split (a
    generator that drew every split from the same child seeds would give
    identical videos under three names)."""
    import cv2
    import numpy as np
    root, _ = small_root
    firsts = {}
    for split in ('train', 'unlabeled', 'val'):
        base = osp.join(root, split, 'JPEGImages')
        for video in sorted(os.listdir(base)):
            frame = sorted(os.listdir(osp.join(base, video)))[0]
            firsts[(split, video)] = cv2.imread(
                osp.join(base, video, frame)).astype(np.float32)
    keys = sorted(firsts)
    assert len(keys) == SMALL['num_train'] + SMALL['num_unlabeled'] + \
        SMALL['num_val']
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a[0] == b[0]:
                continue
            diff = np.abs(firsts[a] - firsts[b]).mean()
            assert diff > 5.0, f'{a} and {b} look like the same video'
