# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The one video reader: frame folders, video files, and naming failures.

Every video here is written by the test (:mod:`mmsolotrack.testing.videos`).
"""
import os.path as osp

import cv2
import numpy as np
import pytest

from mmsolotrack.apis import VideoReadError, read_video_frames, video_info
from mmsolotrack.datasets import UnlabeledVideoDataset
from mmsolotrack.datasets.video_io import read_clip_frames
from mmsolotrack.testing.videos import (cut_image, decode_index,
                                        index_frame, truncate_avi,
                                        write_index_frames, write_video)

# written in this order with values 0, 10, 20, 30: in natural order
# (f_1, f_2, f_3, f_10) they are 30, 20, 0, 10
UNPADDED = ['f_3.jpg', 'f_10.png', 'f_2.webp', 'f_1.png']


def _write_frames(folder, names, size=(24, 16)):
    folder.mkdir(parents=True)
    for value, name in enumerate(names):
        frame = np.full((size[1], size[0], 3), 10 * value, np.uint8)
        assert cv2.imwrite(str(folder / name), frame)
    return folder


def _values(frames):
    return [int(round(float(f.mean()))) for f in frames]


def test_demo_and_training_read_an_unpadded_folder_alike(tmp_path):
    """Issue 11 item 4 / issue 14 item 5: one natural order for both."""
    folder = _write_frames(tmp_path / 'videos' / 'v', UNPADDED)
    (folder / 'notes.txt').write_text('not a frame')
    natural = [str(folder / n) for n in ('f_1.png', 'f_2.webp', 'f_3.jpg',
                                         'f_10.png')]
    # the demo's path (mmsolotrack.apis)
    demo = list(read_video_frames(str(folder)))
    assert _values(demo) == [30, 20, 0, 10]
    assert video_info(str(folder)).num_frames == 4
    # the training path: the same files in the same order, the same pixels
    ds = UnlabeledVideoDataset(
        data_prefix=dict(img_path=str(tmp_path / 'videos')),
        clip_mode='palindrome', clip_len=4, max_gap=1)
    assert ds.get_data_info(0)['frames'] == natural
    clip = ds[0]
    assert clip['frame_id'] == [0, 1, 2, 3]
    assert clip['img_path'] == natural
    assert _values(clip['img']) == _values(demo)


def test_frame_folders_of_a_tree_in_natural_order(tmp_path):
    for name in ('v_10', 'v_2', 'v_1'):
        _write_frames(tmp_path / name, ['0.png'])
    ds = UnlabeledVideoDataset(data_prefix=dict(img_path=str(tmp_path)))
    names = [ds.get_data_info(i)['name'] for i in range(len(ds))]
    assert names == ['v_1', 'v_2', 'v_10']


def test_folder_with_corrupt_image_names_file_and_index(tmp_path):
    folder = _write_frames(tmp_path / 'frames', ['0.png', '1.png', '3.png'])
    (folder / '2.png').write_bytes(b'not a png')
    reader = read_video_frames(str(folder))
    assert len([next(reader), next(reader)]) == 2
    with pytest.raises(VideoReadError) as err:
        next(reader)
    assert err.value.frame_index == 2 and err.value.usable_len == 2
    assert err.value.path == str(folder / '2.png')
    assert f'{folder / "2.png"} (frame 2): not an image' in str(err.value)


def test_truncated_jpeg_frame_is_named_not_grey_filled(tmp_path):
    """Issue 14 item 9: the demo's reader refuses a cut JPEG, as training
    does; OpenCV alone decodes it half grey."""
    folder = tmp_path / 'frames'
    cut = cut_image(write_index_frames(folder, 3)[1])
    assert cv2.imread(cut) is not None  # the trap
    reader = read_video_frames(str(folder))
    assert decode_index(next(reader)) == 0
    with pytest.raises(VideoReadError, match=r'1\.jpg \(frame 1\): JPEG '
                       'end-of-image marker missing'):
        next(reader)


def test_empty_folder_and_missing_path(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(VideoReadError, match='holds no image file'):
        read_video_frames(str(tmp_path / 'empty'))
    with pytest.raises(VideoReadError, match='missing.mp4: does not exist') \
            as err:
        read_video_frames(str(tmp_path / 'missing.mp4'))
    assert err.value.frame_index is None


@pytest.mark.parametrize('name,content', [
    ('garbage.mp4', b'\x00garbage' * 200),
    ('notes.txt', b'FFmpeg renders this text as 89 frames\n' * 50),
    ('empty.avi', b''),
])
def test_not_a_video_is_refused_by_content(tmp_path, name, content):
    """Issue 14 item 9: FFmpeg opens a .txt file (its tty demuxer)."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(VideoReadError,
                       match='not a video file by its content') as err:
        read_video_frames(str(path))
    assert err.value.frame_index is None and err.value.path == str(path)
    with pytest.raises(VideoReadError, match=name):
        video_info(str(path))


def test_an_image_file_is_a_one_frame_video(tmp_path):
    path = str(tmp_path / 'still.png')
    assert cv2.imwrite(path, index_frame(5))
    assert video_info(path).num_frames == 1
    assert [decode_index(f) for f in read_video_frames(path)] == [5]


@pytest.mark.parametrize('name,fourcc', [('clip.avi', 'MJPG'),
                                         ('clip.mp4', 'mp4v')])
def test_written_video_is_read_back_to_the_end(tmp_path, name, fourcc):
    path = write_video(tmp_path / name, 12, fourcc, fps=5)
    info = video_info(path)
    assert info.num_frames == 12 and info.fps == pytest.approx(5)
    frames = list(read_video_frames(path))  # ends without an error
    assert [decode_index(f) for f in frames] == list(range(12))
    assert all(f.shape == (96, 128, 3) for f in frames)


@pytest.fixture
def cut_video(tmp_path):
    """A 20-frame MJPG avi cut 3/4 into frame 12, and the intact frames."""
    intact = write_video(tmp_path / 'intact.avi', 20)
    cut = truncate_avi(intact, str(tmp_path / 'cut.avi'), 12, 0.75)
    cap = cv2.VideoCapture(cut)
    decoded = [cap.read() for _ in range(14)]
    cap.release()
    ok = [o for o, _ in decoded]
    assert ok.index(False) == 13  # frame 12 decodes, 13 does not
    ref = list(read_video_frames(intact))
    assert not np.array_equal(decoded[12][1], ref[12])  # the trap
    assert np.array_equal(decoded[11][1], ref[11])
    return cut, ref


def test_truncated_video_stream_leaves_out_the_frame_at_the_cut(cut_video):
    cut, ref = cut_video
    frames = []
    with pytest.raises(VideoReadError) as err:
        for frame in read_video_frames(cut):
            frames.append(frame)
    assert len(frames) == 12 == err.value.usable_len
    assert all(np.array_equal(f, r) for f, r in zip(frames, ref))
    assert err.value.frame_index == 13
    assert err.value.num_frames_announced == 20
    assert str(err.value).startswith(f'{cut} (frame 13): does not decode')


@pytest.mark.parametrize('seek', [4, None])
def test_random_access_refuses_the_frame_at_the_cut(cut_video, seek):
    cut, ref = cut_video
    frames = read_clip_frames(cut, [11, 10], 20, seek)
    assert all(np.array_equal(frames[i], ref[i]) for i in (10, 11))
    with pytest.raises(VideoReadError,
                       match=r'cut\.avi \(frame 12\): may be incomplete') \
            as err:
        read_clip_frames(cut, [3, 12], 20, seek)
    assert err.value.usable_len == 12
    with pytest.raises(VideoReadError, match=r'\(frame 1[34]\)') as err:
        read_clip_frames(cut, [14], 20, seek)
    assert err.value.usable_len <= 12
