# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Stream the frames of a video file or of a folder of images.

Frames are decoded one at a time (OpenCV, BGR uint8, (H, W, 3)), so memory
does not grow with the length of the video. A decoding failure names the file
and the frame where it happened.
"""
import os
import os.path as osp
import re
from typing import Iterator, List, NamedTuple, Optional

import cv2
import numpy as np

__all__ = [
    'IMAGE_EXTENSIONS', 'VideoInfo', 'VideoReadError', 'list_frame_files',
    'read_video_frames', 'video_info'
]

#: Files of a frame folder that are read, by lower-case extension.
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


class VideoReadError(RuntimeError):
    """A video (or frame folder) could not be opened or decoded.

    Attributes:
        path (str): The video file, or the image file of a frame folder.
        frame_index (int, optional): 0-based index of the frame that failed;
            None when the input could not be opened at all.
        num_frames_announced (int, optional): The frame count the container
            (or the folder) announced, when known.
    """

    def __init__(self,
                 message: str,
                 path: str,
                 frame_index: Optional[int] = None,
                 num_frames_announced: Optional[int] = None) -> None:
        super().__init__(message)
        self.path = path
        self.frame_index = frame_index
        self.num_frames_announced = num_frames_announced


class VideoInfo(NamedTuple):
    """What the container (or the folder) announces before decoding.

    ``fps`` is None for a folder or when the container gives none;
    ``num_frames`` is None when unknown.
    """
    fps: Optional[float]
    num_frames: Optional[int]


def _natural_key(name: str) -> list:
    """Sort key that puts ``frame_2`` before ``frame_10``."""
    return [
        int(s) if s.isdigit() else s.lower() for s in re.split(r'(\d+)', name)
    ]


def list_frame_files(folder: str) -> List[str]:
    """The image files of a frame folder, in natural order.

    Args:
        folder (str): A directory of frames (``IMAGE_EXTENSIONS``; other
            files are ignored).

    Returns:
        list[str]: Paths of the frames.

    Raises:
        VideoReadError: The folder holds no image file.
    """
    names = [
        n for n in os.listdir(folder)
        if osp.splitext(n)[1].lower() in IMAGE_EXTENSIONS
        and osp.isfile(osp.join(folder, n))
    ]
    if not names:
        raise VideoReadError(
            f'frame folder {folder} holds no image file '
            f'({", ".join(IMAGE_EXTENSIONS)})', folder)
    return [osp.join(folder, n) for n in sorted(names, key=_natural_key)]


def _open_capture(path: str) -> cv2.VideoCapture:
    if not osp.exists(path):
        raise VideoReadError(f'video file {path} does not exist', path)
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        cap.release()
        raise VideoReadError(
            f'cannot open video file {path}: OpenCV found no readable '
            'video stream (not a video, an unsupported codec, or a corrupt '
            'or truncated header)', path)
    return cap


def _announced_frames(cap: cv2.VideoCapture) -> Optional[int]:
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    return int(count) if np.isfinite(count) and count > 0 else None


def video_info(path: str) -> VideoInfo:
    """Frame rate and frame count announced by a video file or folder.

    Args:
        path (str): A video file or a folder of frames.

    Returns:
        VideoInfo: ``fps`` and ``num_frames`` (None when unknown).

    Raises:
        VideoReadError: The input cannot be opened.
    """
    if osp.isdir(path):
        return VideoInfo(fps=None, num_frames=len(list_frame_files(path)))
    cap = _open_capture(path)
    try:
        fps = cap.get(cv2.CAP_PROP_FPS)
        return VideoInfo(
            fps=float(fps) if np.isfinite(fps) and fps > 0 else None,
            num_frames=_announced_frames(cap))
    finally:
        cap.release()


def _read_folder(folder: str, files: List[str]) -> Iterator[np.ndarray]:
    for index, file in enumerate(files):
        frame = cv2.imread(file, cv2.IMREAD_COLOR)
        if frame is None:
            raise VideoReadError(
                f'cannot decode frame {index} of frame folder {folder}: '
                f'{file} is not a readable image', file, index, len(files))
        yield frame


def _read_file(path: str) -> Iterator[np.ndarray]:
    cap = _open_capture(path)
    try:
        announced = _announced_frames(cap)
        index = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            yield frame
            index += 1
        if index == 0:
            raise VideoReadError(
                f'cannot decode any frame of video file {path} (frame 0 '
                'failed); the file may be corrupt', path, 0, announced)
        if announced is not None and index < announced:
            raise VideoReadError(
                f'decoding video file {path} failed at frame {index} '
                f'(0-based) although the container announces {announced} '
                'frames; the file is truncated or corrupt', path, index,
                announced)
    finally:
        cap.release()


def read_video_frames(path: str) -> Iterator[np.ndarray]:
    """Decode a video file or a folder of images one frame at a time.

    Nothing is kept between frames; closing the generator (or leaving a
    ``for`` loop early) releases the decoder.

    Args:
        path (str): A video file (anything OpenCV's FFmpeg backend reads:
            mp4, avi, ...) or a folder of images, read in natural order of
            their names.

    Yields:
        np.ndarray: (H, W, 3) uint8 BGR frames.

    Raises:
        VideoReadError: ``frame_index`` None: the input cannot be opened at
            all. Otherwise decoding failed at that frame (e.g. a truncated
            file whose container announces more frames than it holds); the
            frames before it have been yielded.
    """
    path = str(path)
    if osp.isdir(path):
        return _read_folder(path, list_frame_files(path))
    # open now, so that an unreadable file fails at the call, not later
    _open_capture(path).release()
    return _read_file(path)
