# Copyright (c) mmsolotrack contributors. All rights reserved.
"""tools/demo/video_demo.py run as a user runs it, on videos the tests write
(and on real footage when ../shared/data/videos is there)."""
import json
import os.path as osp
import re
import subprocess
import sys

import cv2
import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch

from mmsolotrack.apis import init_model
from mmsolotrack.testing.videos import (cut_image, truncate_avi,
                                        write_index_frames, write_video)
from ..conftest import REPO, SHARED_VIDEOS, tool_env

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
    """Run the demo with this checkout's package (as other tool tests do)."""
    return subprocess.run([sys.executable, DEMO, *args],
                          cwd=str(cwd),
                          env=dict(tool_env(), PYTHONPATH=REPO),
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=900)


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


@pytest.fixture
def written_avi(tmp_path):
    """A 20-frame 128x96 MJPG avi the test writes (any clone has it)."""
    return write_video(tmp_path / 'intact.avi', 20)


def test_demo_truncated_video_keeps_valid_output(tmp_path, checkpoint,
                                                 written_avi):
    # cut 3/4 into frame 12: it decodes partly, 13 does not
    cut = truncate_avi(written_avi, str(tmp_path / 'cut.avi'), 12, 0.75)
    out, res = tmp_path / 'cut.mp4', tmp_path / 'cut.json'
    proc = _demo([cut, CONFIG, checkpoint, '--out', str(out), '--out-json',
                  str(res), *FAST], tmp_path)
    assert proc.returncode == 1, proc.stdout[-4000:]
    assert f'error: {cut} (frame 13): does not decode' in proc.stdout
    assert 'stopped at frame 13; 12 frames written' in proc.stdout
    assert 'Traceback' not in proc.stdout
    # the half-decoded frame 12 is not drawn
    assert len(_decode_all(out)) == 12
    _check_results(res, 12, 96, 128)


def test_demo_missing_tail_is_a_warning(tmp_path, checkpoint, written_avi):
    """Issue 14 item 10: the container announces 20 frames, 19 decode."""
    cut = truncate_avi(written_avi, str(tmp_path / 'tail.avi'), 19, 0)
    out = tmp_path / 'tail.mp4'
    proc = _demo([cut, CONFIG, checkpoint, '--out', str(out), *FAST],
                 tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert f'warning: {cut} (frame 19): does not decode' in proc.stdout
    assert f'only the tail of {cut} is missing; 18 frames' in proc.stdout
    assert len(_decode_all(out)) == 18


def test_demo_refuses_a_text_file(tmp_path, checkpoint):
    """Issue 14 item 9: FFmpeg renders a .txt file as frames of text."""
    text = tmp_path / 'notes.txt'
    text.write_text('FFmpeg opens this as an 89-frame video\n' * 80)
    out = tmp_path / 'text.mp4'
    proc = _demo([str(text), CONFIG, checkpoint, '--out', str(out)],
                 tmp_path)
    assert proc.returncode == 1
    assert f'error: {text}: not a video file by its content' in proc.stdout
    assert 'Traceback' not in proc.stdout and not out.exists()


def test_demo_names_a_truncated_frame_image(tmp_path, checkpoint):
    """Issue 14 item 9: not drawn half grey; named as training names it."""
    folder = tmp_path / 'frames'
    cut = cut_image(write_index_frames(folder, 3, 'f_{}.jpg')[1])
    out = tmp_path / 'frames.mp4'
    proc = _demo([str(folder), CONFIG, checkpoint, '--out', str(out), *FAST],
                 tmp_path)
    assert proc.returncode == 1, proc.stdout[-4000:]
    assert (f'error: {cut} (frame 1): JPEG end-of-image marker missing'
            in proc.stdout)
    assert len(_decode_all(out)) == 1


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
    assert f'{bad}: not a video file by its content' in proc.stdout
    assert 'Traceback' not in proc.stdout
    assert not out.exists()


def test_demo_amp_and_channels_last(tmp_path, checkpoint):
    """The demo accepts --amp --channels-last and writes every frame and
    the json."""
    folder = tmp_path / 'frames'
    folder.mkdir()
    for i in range(2):
        frame = np.full((96, 160, 3), 90, np.uint8)
        frame[20:60, 20 + 30 * i:70 + 30 * i] = (30, 200, 60)
        assert cv2.imwrite(str(folder / f'{i:05d}.jpg'), frame)
    out, out_json = tmp_path / 'amp.mp4', tmp_path / 'amp.json'
    proc = _demo([
        str(folder), CONFIG, checkpoint, '--out',
        str(out), '--out-json',
        str(out_json), '--amp', '--channels-last', *FAST
    ], tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert len(_decode_all(out)) == 2
    _check_results(out_json, 2, 96, 160)
