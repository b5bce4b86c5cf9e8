# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Decoding video files and frame folders, and naming where it fails."""
import os.path as osp

import cv2
import numpy as np
import pytest

from mmsolotrack.apis import VideoReadError, read_video_frames, video_info
from ..conftest import SHARED_VIDEOS

VTEST = osp.join(SHARED_VIDEOS, 'vtest.avi')
need_vtest = pytest.mark.skipif(
    not osp.isfile(VTEST),
    reason=f'{VTEST} is absent (shared real videos not available)')


def _write_frames(folder, names, size=(24, 16)):
    folder.mkdir()
    for value, name in enumerate(names):
        frame = np.full((size[1], size[0], 3), 10 * value, np.uint8)
        assert cv2.imwrite(str(folder / name), frame)
    return folder


def test_folder_in_natural_order(tmp_path):
    # written in this order with values 0, 10, 20, 30: natural order is
    # frame_1 (10), frame_2 (0), frame_10 (20), then frame_11 (30)
    folder = _write_frames(
        tmp_path / 'frames',
        ['frame_2.png', 'frame_1.png', 'frame_10.png', 'frame_11.png'])
    (folder / 'notes.txt').write_text('not a frame')
    frames = list(read_video_frames(str(folder)))
    assert [int(f[0, 0, 0]) for f in frames] == [10, 0, 20, 30]
    assert all(f.shape == (16, 24, 3) and f.dtype == np.uint8 for f in frames)
    assert video_info(str(folder)).num_frames == 4


def test_folder_with_corrupt_image_names_file_and_index(tmp_path):
    folder = _write_frames(tmp_path / 'frames', ['0.png', '1.png', '3.png'])
    (folder / '2.png').write_bytes(b'not a png')
    reader = read_video_frames(str(folder))
    assert len([next(reader), next(reader)]) == 2
    with pytest.raises(VideoReadError) as err:
        next(reader)
    assert err.value.frame_index == 2
    assert err.value.path == str(folder / '2.png')
    assert 'frame 2' in str(err.value) and '2.png' in str(err.value)


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(VideoReadError, match='holds no image file'):
        read_video_frames(str(tmp_path / 'empty'))
    with pytest.raises(VideoReadError, match='does not exist') as err:
        read_video_frames(str(tmp_path / 'missing.mp4'))
    assert err.value.frame_index is None


def test_not_a_video_cannot_be_opened(tmp_path):
    path = tmp_path / 'garbage.mp4'
    path.write_bytes(b'\x00garbage' * 200)
    with pytest.raises(VideoReadError, match='cannot open video file') as err:
        read_video_frames(str(path))
    assert err.value.frame_index is None and err.value.path == str(path)


def test_written_video_is_read_back(tmp_path):
    path = str(tmp_path / 'clip.avi')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 5,
                             (32, 24))
    for value in (0, 120, 240):
        writer.write(np.full((24, 32, 3), value, np.uint8))
    writer.release()
    info = video_info(path)
    assert info.num_frames == 3 and info.fps == pytest.approx(5)
    frames = list(read_video_frames(path))
    assert [f.shape for f in frames] == [(24, 32, 3)] * 3
    assert [round(float(f.mean()) / 120) for f in frames] == [0, 1, 2]


@need_vtest
def test_truncated_video_names_the_failing_frame(tmp_path):
    data = open(VTEST, 'rb').read()
    path = tmp_path / 'vtest_cut.avi'
    path.write_bytes(data[:len(data) // 50])
    # how many frames OpenCV decodes before the cut, counted independently
    cap = cv2.VideoCapture(str(path))
    decodable = 0
    while cap.read()[0]:
        decodable += 1
    announced = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    assert 0 < decodable < announced

    reader = read_video_frames(str(path))
    frames = []
    with pytest.raises(VideoReadError) as err:
        for frame in reader:
            frames.append(frame.shape)
    assert len(frames) == decodable
    assert err.value.frame_index == decodable
    assert err.value.num_frames_announced == announced
    assert str(path) in str(err.value)
    assert f'frame {decodable}' in str(err.value)


@need_vtest
def test_full_video_ends_without_error():
    info = video_info(VTEST)
    count = sum(1 for _ in read_video_frames(VTEST))
    assert count == info.num_frames == 795
