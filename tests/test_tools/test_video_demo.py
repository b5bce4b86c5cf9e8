# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/demo/video_demo.py run as a user runs it, on real videos."""
import json
import os.path as osp
import re
import sys

import cv2
import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch

from mmsolotrack.apis import init_model
from ..conftest import REPO, SHARED_VIDEOS, run_tool

DEMO = osp.join(REPO, 'tools', 'demo', 'video_demo.py')
CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
VTEST = osp.join(SHARED_VIDEOS, 'vtest.avi')
need_vtest = pytest.mark.skipif(
    not osp.isdir(SHARED_VIDEOS) or not osp.isfile(VTEST),
    reason=f'{VTEST} is absent (../shared/data/videos not available)')
# at most 4 instances per frame: keeps drawing and post-processing quick
FAST = ['--cfg-options', 'model.detector.test_cfg.max_per_img=4']
RESULT_KEYS = {'video_id', 'category_id', 'score', 'segmentations'}


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A randomly initialised tiny model saved as a user would."""
    torch.manual_seed(0)
    model = init_model(CONFIG)
    path = tmp_path_factory.mktemp('ckpt') / 'tiny_random.pth'
    torch.save(
        {
            'state_dict': model.state_dict(),
            'meta': {
                'dataset_meta': dict(model.dataset_meta)
            }
        }, str(path))
    return str(path)


def _demo(args, cwd):
    return run_tool([sys.executable, DEMO, *args], cwd=cwd, check=False)


def _decode_all(path):
    """Every frame OpenCV decodes from a written video."""
    cap = cv2.VideoCapture(str(path))
    assert cap.isOpened(), f'{path} does not re-open'
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def _check_results(path, num_frames, height, width):
    with open(path) as f:
        results = json.load(f)
    assert isinstance(results, list)
    for res in results:
        assert set(res) == RESULT_KEYS
        assert res['video_id'] == 1
        assert 1 <= res['category_id'] <= 5
        assert 0.0 <= res['score'] <= 1.0
        assert len(res['segmentations']) == num_frames
        assert any(seg is not None for seg in res['segmentations'])
        for seg in res['segmentations']:
            if seg is not None:
                assert seg['size'] == [height, width]
                assert isinstance(seg['counts'], str)
    return results


def _union_mask(results, frame, height, width):
    union = np.zeros((height, width), bool)
    for res in results:
        seg = res['segmentations'][frame]
        if seg is not None:
            union |= mask_util.decode(
                dict(size=seg['size'], counts=seg['counts'])).astype(bool)
    return union


@need_vtest
def test_demo_on_vtest_first_8_frames(tmp_path, checkpoint):
    out, res = tmp_path / 'vtest.mp4', tmp_path / 'vtest.json'
    proc = _demo([
        VTEST, CONFIG, checkpoint, '--out',
        str(out), '--out-json',
        str(res), '--max-frames', '8', '--score-thr', '0', *FAST
    ], tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    # the progress bar shows frames done and the rate in frames/s
    assert re.search(r'8/8 \[[^\]]*[\d.]+frame/s', proc.stdout)

    written = _decode_all(out)
    assert len(written) == 8
    assert all(f.shape == (576, 768, 3) for f in written)
    results = _check_results(res, 8, 576, 768)
    assert results, 'the seeded random model tracks nothing'

    # the tracks are drawn: inside their masks (score-thr 0 draws every
    # one) frame 0 differs from the input far more than mp4v coding alone
    # makes it differ (random weights give masks that may cover the frame)
    source = cv2.VideoCapture(VTEST).read()[1]
    coded = _mp4v_round_trip(source, tmp_path / 'plain.mp4')
    codec_noise = np.abs(coded.astype(np.float32) - source).mean()
    diff = np.abs(written[0].astype(np.float32) - source).mean(axis=2)
    inside = _union_mask(results, 0, 576, 768)
    assert inside.any()
    assert diff[inside].mean() > 3 * codec_noise + 5
    if (~inside).any():
        assert diff[~inside].mean() < diff[inside].mean()


def _mp4v_round_trip(frame, path):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             (frame.shape[1], frame.shape[0]))
    writer.write(frame)
    writer.release()
    return _decode_all(path)[0]


@need_vtest
def test_demo_truncated_video_keeps_valid_output(tmp_path, checkpoint):
    data = open(VTEST, 'rb').read()
    cut = tmp_path / 'vtest_cut.avi'
    cut.write_bytes(data[:len(data) // 50])
    cap = cv2.VideoCapture(str(cut))
    decodable = 0
    while cap.read()[0]:
        decodable += 1
    cap.release()
    assert 0 < decodable < 795

    out, res = tmp_path / 'cut.mp4', tmp_path / 'cut.json'
    proc = _demo([
        str(cut), CONFIG, checkpoint, '--out',
        str(out), '--out-json',
        str(res), *FAST
    ], tmp_path)
    assert proc.returncode != 0
    assert str(cut) in proc.stdout
    assert f'failed at frame {decodable}' in proc.stdout
    assert 'Traceback' not in proc.stdout
    assert len(_decode_all(out)) == decodable
    _check_results(res, decodable, 576, 768)


def test_demo_on_frame_folder(tmp_path, checkpoint):
    folder = tmp_path / 'frames'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        frame = np.full((120, 200, 3), 90, np.uint8)
        x = 20 + 30 * i
        frame[30:90, x:x + 50] = rng.integers(0, 255, 3, dtype=np.uint8)
        assert cv2.imwrite(str(folder / f'{i:05d}.jpg'), frame)
    out = tmp_path / 'folder.mp4'
    proc = _demo([
        str(folder), CONFIG, checkpoint, '--out',
        str(out), '--fps', '5', *FAST
    ], tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    written = _decode_all(out)
    assert [f.shape for f in written] == [(120, 200, 3)] * 3
    cap = cv2.VideoCapture(str(out))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(5)
    cap.release()


def test_demo_unreadable_input(tmp_path, checkpoint):
    bad = tmp_path / 'not_a_video.mp4'
    bad.write_bytes(b'\x00garbage' * 100)
    out = tmp_path / 'bad.mp4'
    proc = _demo([str(bad), CONFIG, checkpoint, '--out', str(out)], tmp_path)
    assert proc.returncode != 0
    assert f'cannot open video file {bad}' in proc.stdout
    assert 'Traceback' not in proc.stdout
    assert not out.exists()
