# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Unlabelled clips: sampling, the three sources, real footage, bad files."""
import glob
import itertools
import json
import os
import os.path as osp
import shutil
import warnings

import cv2
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from mmsolotrack.datasets import UnlabeledVideoDataset
from mmsolotrack.datasets.video_io import VideoReadError, VideoReadWarning
from mmsolotrack.engine.hooks import find_unlabeled_video_datasets
from mmsolotrack.registry import DATASETS
from mmsolotrack.testing.videos import (decode_index, truncate_avi,
                                        write_video)

from ..conftest import SHARED_VIDEOS, TINY_SYNTHVIS

REAL_VIDEOS = {  # name: (frames, width, height), from the folder's README
    'vtest.avi': (795, 768, 576),
    'Megamind.avi': (270, 720, 528),
    'street_8frames_1080p.mp4': (8, 1920, 1080),
}
PACK = [dict(type='mmdet.PackTrackInputs')]


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmsolotrack')


def _dataset(img_path, **kwargs):
    return UnlabeledVideoDataset(data_prefix=dict(img_path=str(img_path)),
                                 **kwargs)


def _need_shared_videos():
    if not osp.isdir(SHARED_VIDEOS):
        pytest.skip(f'real footage folder {SHARED_VIDEOS} is absent')


# ----------------------------------------------------------------- sampling
def _feasible_clips(video_len, num, max_gap):
    """All clips the contract allows, by brute force."""
    bound = min(max_gap, (video_len - 1) // (num - 1))
    clips = set()
    for clip in itertools.product(range(video_len), repeat=num):
        gaps = np.diff(clip)
        if (gaps >= 1).all() and (gaps <= bound).all():
            clips.add(clip)
    return clips


@pytest.mark.parametrize('clip_mode,clip_len', [('pair', None),
                                                ('palindrome', 3),
                                                ('palindrome', 4)])
def test_clip_sampling_bounds_and_order(clip_mode, clip_len):
    ds = UnlabeledVideoDataset(data_prefix=dict(img_path=''),
                               clip_mode=clip_mode, clip_len=clip_len,
                               max_gap=3, lazy_init=True)
    num = 2 if clip_mode == 'pair' else clip_len
    rng = np.random.default_rng(0)
    # short videos: every allowed clip, and only those, comes out
    for video_len in range(num, 9):
        drawn = {tuple(ds.sample_frame_indices(video_len, rng))
                 for _ in range(3000)}
        assert drawn == _feasible_clips(video_len, num, 3), video_len
    # long videos: order and gap bounds over many draws
    for video_len in (30, 500):
        gaps_seen = set()
        for _ in range(500):
            idx = ds.sample_frame_indices(video_len, rng)
            assert len(idx) == num and all(isinstance(i, int) for i in idx)
            assert 0 <= idx[0] and idx[-1] < video_len
            gaps = np.diff(idx)
            assert ((gaps >= 1) & (gaps <= 3)).all(), idx
            gaps_seen |= set(gaps.tolist())
        assert gaps_seen == {1, 2, 3}


def test_short_videos_clamp():
    ds_cfg = dict(data_prefix=dict(img_path=''), lazy_init=True)
    pair = UnlabeledVideoDataset(max_gap=10, **ds_cfg)
    rng = np.random.default_rng(1)
    assert pair.sample_frame_indices(1, rng) == [0, 0]
    assert all(pair.sample_frame_indices(2, rng) == [0, 1] for _ in range(20))
    three = {tuple(pair.sample_frame_indices(3, rng)) for _ in range(200)}
    assert three == {(0, 1), (1, 2), (0, 2)}  # gap reduced to <= 2
    pal = UnlabeledVideoDataset(clip_mode='palindrome', clip_len=4,
                                **ds_cfg)
    assert pal.sample_frame_indices(1, rng) == [0, 0, 0, 0]
    assert pal.sample_frame_indices(2, rng) == [0, 0, 1, 1]
    assert pal.sample_frame_indices(3, rng) == [0, 1, 1, 2]
    assert pal.sample_frame_indices(4, rng) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match='video_len'):
        pair.sample_frame_indices(0, rng)


def test_gap_distribution_is_uniform():
    ds = UnlabeledVideoDataset(data_prefix=dict(img_path=''), max_gap=5,
                               lazy_init=True)
    rng = np.random.default_rng(2)
    gaps = [np.diff(ds.sample_frame_indices(100, rng))[0]
            for _ in range(5000)]
    counts = np.bincount(gaps, minlength=6)[1:]
    assert counts.sum() == 5000 and (np.abs(counts - 1000) < 120).all()


def test_sampling_is_deterministic_for_a_seed():
    ds = UnlabeledVideoDataset(data_prefix=dict(img_path=''),
                               clip_mode='palindrome', clip_len=4,
                               lazy_init=True)
    draw = [ds.sample_frame_indices(300, np.random.default_rng(7))
            for _ in range(2)]
    assert draw[0] == draw[1]
    others = {tuple(ds.sample_frame_indices(300, np.random.default_rng(s)))
              for s in range(20)}
    assert len(others) > 10


def test_seeded_clips_depend_on_the_item(tmp_path):
    """Each video gets its own clip positions, fixed per (seed, item)."""
    for v in range(6):
        (tmp_path / f'v{v}').mkdir()
        for j in range(30):
            cv2.imwrite(str(tmp_path / f'v{v}' / f'{j}.png'),
                        np.full((4, 4, 3), j, np.uint8))
    ds = _dataset(tmp_path, max_gap=10, seed=0)
    clips = [ds[i]['frame_id'] for i in range(6)]
    assert len({tuple(c) for c in clips}) >= 4, clips
    assert [ds[i]['frame_id'] for i in range(6)] == clips  # fixed
    other = _dataset(tmp_path, max_gap=10, seed=1)
    assert [other[i]['frame_id'] for i in range(6)] != clips


@pytest.mark.parametrize('kwargs,match', [
    (dict(clip_mode='triplet'), 'clip_mode'),
    (dict(clip_mode='pair', clip_len=3), 'clip_len'),
    (dict(clip_mode='palindrome', clip_len=1), 'clip_len'),
    (dict(max_gap=0), 'max_gap'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UnlabeledVideoDataset(data_prefix=dict(img_path=''), lazy_init=True,
                              **kwargs)


def test_missing_source_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere'):
        _dataset(tmp_path / 'nowhere')
    with pytest.raises(ValueError, match='no readable video'):
        _dataset(tmp_path)  # empty folder


# ------------------------------------------------------------ frame folders
def test_frame_folder_tree(synthvis_root):
    root = osp.join(synthvis_root, 'unlabeled', 'JPEGImages')
    ds = _dataset(root, max_gap=2, seed=3, pipeline=PACK)
    assert len(ds) == TINY_SYNTHVIS['num_unlabeled']
    for i in range(len(ds)):
        video = ds.get_data_info(i)
        frames = sorted(glob.glob(osp.join(video['path'], '*.jpg')))
        assert video['frames'] == frames
        out = ds[i]
        sample = out['data_samples']
        ids = [s.metainfo['frame_id'] for s in sample]
        assert out['inputs'].shape == (2, 3, 160, 256)
        assert 1 <= ids[1] - ids[0] <= 2
        for t, s in enumerate(sample):
            assert s.metainfo['img_path'] == frames[ids[t]]
            assert s.metainfo['video_id'] == i
            assert s.metainfo['video_length'] == 2
            assert s.metainfo['ori_video_length'] == len(frames)
            ref = cv2.imread(frames[ids[t]])
            assert np.array_equal(
                out['inputs'][t].permute(1, 2, 0).numpy(), ref)
        assert ds[i]['data_samples'][0].metainfo['frame_id'] == ids[0]


def test_global_rng_draws_are_seeded_by_numpy(synthvis_root):
    root = osp.join(synthvis_root, 'unlabeled', 'JPEGImages')
    ds = _dataset(root, clip_mode='palindrome', clip_len=3, max_gap=2)

    def draw():
        np.random.seed(11)
        return [ds[0]['frame_id'] for _ in range(6)]

    assert draw() == draw()
    assert len({tuple(ids) for ids in draw()}) > 1


# -------------------------------------------------------------- video files
def _write_video(path, num_frames, fourcc):
    return write_video(path, num_frames, fourcc, size=(96, 64))


@pytest.mark.parametrize('name,fourcc', [('clip.avi', 'MJPG'),
                                         ('clip.mp4', 'mp4v')])
@pytest.mark.parametrize('seek_threshold', [0, 16, None])
def test_video_file_frames_are_the_right_ones(tmp_path, name, fourcc,
                                              seek_threshold):
    _write_video(tmp_path / name, 60, fourcc)
    ds = _dataset(tmp_path, clip_mode='palindrome', clip_len=4, max_gap=20,
                  seek_threshold=seek_threshold)
    assert ds.get_data_info(0)['num_frames'] == 60
    rng_draws = 0
    np.random.seed(0)
    for _ in range(8):
        out = ds[0]
        ids = out['frame_id']
        assert ids == sorted(ids) and len(ids) == 4
        assert [decode_index(f) for f in out['img']] == ids
        assert out['img_path'] == [f'{tmp_path / name}#{i}' for i in ids]
        assert all(f.shape == (64, 96, 3) and f.dtype == np.uint8
                   for f in out['img'])
        assert out['ori_shape'] == [(64, 96)] * 4
        rng_draws += ids[-1] > 30
    assert rng_draws > 0  # some clips needed seeking / long decoding


def test_one_frame_video_gives_the_same_frame_twice(tmp_path):
    _write_video(tmp_path / 'one.avi', 1, 'MJPG')
    ds = _dataset(tmp_path, pipeline=PACK)
    out = ds[0]
    assert [s.metainfo['frame_id'] for s in out['data_samples']] == [0, 0]
    assert out['inputs'].shape == (2, 3, 64, 96)


# ---------------------------------------------------------------- json file
def test_youtube_vis_and_cocovid_json_ignore_annotations(synthvis_root):
    official = osp.join(synthvis_root, 'train', 'instances.json')
    cocovid = osp.join(synthvis_root, 'annotations', 'synthvis_train.json')
    prefix = osp.join(synthvis_root, 'train', 'JPEGImages')
    with open(official) as f:
        ann = json.load(f)
    assert ann['annotations']  # there are annotations to ignore
    a = UnlabeledVideoDataset(ann_file=official,
                              data_prefix=dict(img_path=prefix), seed=0)
    b = UnlabeledVideoDataset(ann_file=cocovid,
                              data_prefix=dict(img_path=prefix), seed=0)
    assert len(a) == len(b) == TINY_SYNTHVIS['num_train']
    classes = tuple(c['name']
                    for c in sorted(ann['categories'], key=lambda c: c['id']))
    assert a.metainfo['classes'] == b.metainfo['classes'] == classes
    for i, video in enumerate(ann['videos']):
        expected = [osp.join(prefix, f) for f in video['file_names']]
        assert a.get_data_info(i)['frames'] == expected
        assert b.get_data_info(i)['frames'] == expected
        out = a[i]
        assert set(out) >= {'img', 'img_id', 'frame_id', 'img_path'}
        assert 'gt_bboxes' not in out and 'instances' not in out
        assert out['img_path'] == [expected[j] for j in out['frame_id']]
        assert out['video_id'] == [video['id']] * 2
        assert b[i]['frame_id'] == out['frame_id']  # same seed, same clip


def test_cocovid_frames_follow_frame_id_not_json_order(tmp_path):
    # file names in reverse of time, images listed shuffled
    names = {0: 'c.png', 1: 'b.png', 2: 'a.png', 3: '0.png'}
    for frame_id, name in names.items():
        cv2.imwrite(str(tmp_path / name),
                    np.full((4, 4, 3), 10 * frame_id, np.uint8))
    images = [dict(id=10 + f, video_id=7, frame_id=f, file_name=names[f])
              for f in (2, 0, 3, 1)]
    ann = tmp_path / 'cocovid.json'
    ann.write_text(json.dumps(dict(videos=[dict(id=7, name='v')],
                                   images=images, annotations=[],
                                   categories=[])))
    ds = UnlabeledVideoDataset(ann_file=str(ann),
                               data_prefix=dict(img_path=str(tmp_path)),
                               clip_mode='palindrome', clip_len=4, max_gap=1)
    assert ds.get_data_info(0)['frames'] == [
        osp.join(str(tmp_path), names[f]) for f in range(4)]
    out = ds[0]
    assert [int(f[0, 0, 0]) for f in out['img']] == [0, 10, 20, 30]


def test_concat_with_labelled_images(synthvis_root):
    labelled = dict(
        type='VideoFrameDataset',
        data_root=synthvis_root,
        ann_file='annotations/synthvis_train.json',
        data_prefix=dict(img='train/JPEGImages/'))
    classes = DATASETS.build(labelled).metainfo['classes']
    unlabelled = dict(
        type='UnlabeledVideoDataset',
        data_prefix=dict(
            img_path=osp.join(synthvis_root, 'unlabeled', 'JPEGImages')))
    concat = DATASETS.build(
        dict(type='RepeatDataset', times=2, dataset=dict(
            type='ConcatDataset',
            datasets=[labelled, dict(unlabelled,
                                     metainfo=dict(classes=classes))])))
    assert concat.metainfo['classes'] == classes
    found = find_unlabeled_video_datasets(concat)
    assert len(found) == 1 and isinstance(found[0], UnlabeledVideoDataset)
    assert found[0] is concat.dataset.datasets[1]
    with pytest.raises(ValueError, match='meta information'):
        DATASETS.build(dict(type='ConcatDataset',
                            datasets=[labelled, unlabelled]))


# ------------------------------------------------------------- real footage
def test_real_footage_clips(tmp_path):
    _need_shared_videos()
    pipeline = [
        dict(type='mmdet.TransformBroadcaster', share_random_params=True,
             transforms=[dict(type='mmdet.Resize', scale=(256, 160),
                              keep_ratio=True)]),
        dict(type='mmdet.PackTrackInputs')
    ]
    raw = _dataset(SHARED_VIDEOS, max_gap=10, seed=5)
    packed = _dataset(SHARED_VIDEOS, max_gap=10, seed=5, pipeline=pipeline)
    names = [osp.basename(raw.get_data_info(i)['path'])
             for i in range(len(raw))]
    assert sorted(names) == sorted(REAL_VIDEOS)
    for i, name in enumerate(names):
        length, w, h = REAL_VIDEOS[name]
        assert raw.get_data_info(i)['num_frames'] == length
        out = raw[i]
        ids = out['frame_id']
        assert 1 <= ids[1] - ids[0] <= 10 and ids[1] < length
        # the decoded frames are exactly those of a plain sequential read
        cap = cv2.VideoCapture(osp.join(SHARED_VIDEOS, name))
        ref = {}
        for j in range(ids[1] + 1):
            ok, frame = cap.read()
            assert ok
            if j in ids:
                ref[j] = frame
        cap.release()
        for t, j in enumerate(ids):
            assert out['img'][t].shape == (h, w, 3)
            assert np.array_equal(out['img'][t], ref[j]), (name, j)
        # after the pipeline: resized to fit 256 x 160, in order
        scale = min(256 / w, 160 / h)
        expected = (int(h * scale + 0.5), int(w * scale + 0.5))
        res = packed[i]
        assert tuple(res['inputs'].shape) == (2, 3) + expected
        assert [s.metainfo['frame_id'] for s in res['data_samples']] == ids
        assert all(s.metainfo['img_shape'] == expected
                   for s in res['data_samples'])


# ---------------------------------------------------------------- bad files
#: The truncated test video: 40 frames, cut 3/4 into frame CUT, which then
#: decodes partly; frames before CUT are whole.
CUT = 25


def _truncated_video(folder):
    folder.mkdir()
    intact = write_video(folder.parent / 'intact.avi', 40)
    return truncate_avi(intact, str(folder / 'cut.avi'), CUT, 0.75)


def test_truncated_video_is_skipped_and_its_cut_never_served(tmp_path):
    """Issue 14 item 6: the usable length only shrinks, to the frames before
    the one at the cut, and that half-decoded frame is never served."""
    path = _truncated_video(tmp_path / 'videos')
    ds = _dataset(tmp_path / 'videos', max_gap=10)
    assert ds.get_data_info(0)['num_frames'] == 40  # the header lies
    np.random.seed(0)
    results, usable = [], [ds.num_usable_frames(0)]
    with pytest.warns(VideoReadWarning) as record:
        for _ in range(30):
            results.append(ds.prepare_data(0))
            usable.append(ds.num_usable_frames(0))
    assert any(r is None for r in results)
    assert usable == sorted(usable, reverse=True), usable  # only shrinks
    assert usable[-1] == CUT, usable
    msgs = [str(w.message) for w in record
            if issubclass(w.category, VideoReadWarning)]
    assert all(m.startswith(f'UnlabeledVideoDataset: skipped a clip: {path} '
                            '(frame ') for m in msgs), msgs
    assert ds.num_skipped == len(msgs) == sum(r is None for r in results)
    assert ds.skipped_files == {path: ds.num_skipped}
    # no frame at or after the cut was ever served, before or after it was
    # known, and the served frames are the right ones
    good = [r for r in results if r is not None]
    with warnings.catch_warnings():
        warnings.simplefilter('error', VideoReadWarning)
        good += [ds.prepare_data(0) for _ in range(10)]
    assert all(max(r['frame_id']) < CUT for r in good)
    assert all([decode_index(f) for f in r['img']] == r['frame_id']
               for r in good)
    # a later error that claims more usable frames does not grow it back
    ds._on_skip(path, VideoReadError(path, 30, 'late', usable_len=29))
    assert ds.num_usable_frames(0) == CUT
    # mmengine's __getitem__ refetches instead of returning None
    assert ds[0] is not None


def test_a_clip_ending_at_the_cut_is_refused(tmp_path):
    """Fresh datasets, one clip each, ending just before, at and after the
    cut: served only before it; every refusal learns exactly CUT frames."""
    path = _truncated_video(tmp_path / 'videos')

    def clip_of(seed):  # the clip item 0 gets with this seed (no file read)
        ds = _dataset('', max_gap=10, seed=seed, lazy_init=True)
        return ds.sample_frame_indices(40, ds._rng(0))

    seeds = {}
    for seed in range(300):
        seeds.setdefault(clip_of(seed)[-1], seed)
    for last in (CUT - 2, CUT - 1, CUT, CUT + 1, CUT + 2):
        seed = seeds[last]
        ds = _dataset(tmp_path / 'videos', max_gap=10, seed=seed)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', VideoReadWarning)
            out = ds.prepare_data(0)
        if last < CUT:
            assert [decode_index(f) for f in out['img']] == clip_of(seed)
            assert ds.num_usable_frames(0) == 40 and ds.num_skipped == 0
        else:
            assert out is None, (seed, clip_of(seed))
            assert ds.num_usable_frames(0) == CUT, (seed, clip_of(seed))
            assert ds.skipped_files == {path: 1}


def test_truncated_video_raises_when_strict(tmp_path):
    _truncated_video(tmp_path / 'videos')
    ds = _dataset(tmp_path / 'videos', max_gap=10, strict=True)
    np.random.seed(0)
    with pytest.raises(VideoReadError, match=r'cut\.avi \(frame \d+\)'):
        for _ in range(30):
            ds.prepare_data(0)


def test_undecodable_video_is_left_out_or_raises(tmp_path):
    _write_video(tmp_path / 'good.avi', 5, 'MJPG')
    (tmp_path / 'broken.mp4').write_bytes(b'not a video' * 100)
    with pytest.warns(VideoReadWarning, match='broken.mp4'):
        ds = _dataset(tmp_path)
    assert len(ds) == 1 and ds.num_skipped == 1
    assert list(ds.skipped_files) == [str(tmp_path / 'broken.mp4')]
    with pytest.raises(VideoReadError, match='broken.mp4'):
        _dataset(tmp_path, strict=True)


def test_corrupt_frames_are_skipped_or_raise(synthvis_root, tmp_path):
    src = sorted(glob.glob(osp.join(synthvis_root, 'unlabeled', 'JPEGImages',
                                    '*', '*.jpg')))[:2]
    root = tmp_path / 'frames'
    for name in ('a_good', 'b_garbage', 'c_cut'):
        (root / name).mkdir(parents=True)
        for j, f in enumerate(src):
            shutil.copy(f, root / name / f'{j:05d}.jpg')
    garbage = root / 'b_garbage' / '00001.jpg'
    garbage.write_bytes(b'\xff\xd8 definitely not a jpeg')
    cut = root / 'c_cut' / '00001.jpg'
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    # cv2.imread returns a grey-filled frame here, silently
    assert cv2.imread(str(cut)) is not None

    ds = _dataset(root)  # 2-frame videos: every pair reads both frames
    assert ds.prepare_data(0) is not None
    for i, bad in ((1, garbage), (2, cut)):
        with pytest.warns(VideoReadWarning,
                          match=rf'{bad.name} \(frame 1\)') as rec:
            assert ds.prepare_data(i) is None
        assert any(str(bad) in str(w.message) for w in rec
                   if issubclass(w.category, VideoReadWarning))
    assert ds.num_skipped == 2
    assert ds.skipped_files == {str(garbage): 1, str(cut): 1}

    strict = _dataset(root, strict=True)
    for i, bad in ((1, garbage), (2, cut)):
        with pytest.raises(VideoReadError, match=bad.name):
            strict.prepare_data(i)


def test_skips_in_worker_processes_reach_the_main_process(tmp_path):
    from torch.utils.data import DataLoader
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        for j in range(2):
            cv2.imwrite(str(tmp_path / name / f'{j}.jpg'),
                        np.full((8, 8, 3), 100, np.uint8))
    (tmp_path / 'b' / '1.jpg').write_bytes(b'broken')
    ds = _dataset(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', VideoReadWarning)
        loader = DataLoader(_Items(ds), batch_size=None, num_workers=2,
                            multiprocessing_context='fork')
        outs = list(loader)
    assert sum(o is None for o in outs) == 2  # b, twice
    assert ds.num_skipped == 2  # counted in the workers, seen here
    assert list(ds.skipped_files) == [str(tmp_path / 'b' / '1.jpg')]
    os.remove(ds.skip_log.path)
    assert ds.num_skipped == 0


class _Items:
    """Calls ``prepare_data`` in DataLoader workers: [a, b, a, b]."""

    def __init__(self, ds):
        self.ds = ds

    def __len__(self):
        return 4

    def __getitem__(self, i):
        out = self.ds.prepare_data(i % 2)
        return None if out is None else 1


# ------------------------------------------------------------- augmentation
def _left_white_video(root, name, num=2):
    (root / name).mkdir(parents=True)
    frame = np.zeros((32, 64, 3), np.uint8)
    frame[:, :32] = 200  # left half bright: a flip is visible
    for j in range(num):
        cv2.imwrite(str(root / name / f'{j:03d}.png'), frame)


def test_geometric_augmentation_is_shared_by_the_clip(tmp_path):
    _left_white_video(tmp_path, 'v', num=3)
    pipeline = [
        dict(type='mmdet.TransformBroadcaster', share_random_params=True,
             transforms=[dict(type='mmdet.Resize', scale=(128, 64),
                              keep_ratio=True),
                         dict(type='mmdet.RandomFlip', prob=0.5)]),
        dict(type='mmdet.PackTrackInputs')
    ]
    ds = _dataset(tmp_path, clip_mode='palindrome', clip_len=3,
                  pipeline=pipeline)
    np.random.seed(0)
    flipped = []
    for _ in range(16):
        out = ds[0]
        imgs = out['inputs'].float()
        assert imgs.shape == (3, 3, 64, 128)
        left = imgs[..., :64].mean(dim=(1, 2, 3))
        right = imgs[..., 64:].mean(dim=(1, 2, 3))
        seen = (right > left).tolist()  # bright half moved right
        flags = [s.metainfo['flip'] for s in out['data_samples']]
        assert seen == flags
        assert len(set(flags)) == 1, flags  # all frames alike
        flipped.append(flags[0])
    assert 0 < sum(flipped) < len(flipped)  # both outcomes occurred


@pytest.mark.parametrize('share', [False, True])
def test_photometric_augmentation_per_frame(tmp_path, share):
    _left_white_video(tmp_path, 'v', num=2)
    pipeline = [
        dict(type='mmdet.TransformBroadcaster', share_random_params=share,
             transforms=[dict(type='mmdet.PhotoMetricDistortion')]),
        dict(type='mmdet.PackTrackInputs')
    ]
    ds = _dataset(tmp_path, pipeline=pipeline)
    np.random.seed(0)
    differ = []
    for _ in range(10):
        imgs = ds[0]['inputs']  # the two source frames are identical
        differ.append(not bool((imgs[0] == imgs[1]).all()))
    if share:
        assert not any(differ)
    else:
        assert sum(differ) >= 5
