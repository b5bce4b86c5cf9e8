# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Read video files and frame folders: the one reader of training and demo.

* A **frame folder** holds one image per frame (:data:`IMAGE_EXTENSIONS`),
  read in natural order of the names (``f_1, f_2, f_10``).
* A **video file** is decoded with OpenCV (FFmpeg). Its content must be a
  video container (:mod:`.file_formats`): FFmpeg alone would open a text
  file as a video.

Frames are (H, W, 3) uint8 BGR. Every failure is a :class:`VideoReadError`
naming the file and the frame.

**The frame at a cut is never served.** A truncated file decodes the frame
whose data is cut short as if it were whole (the rest grey or garbage), and
fails only at the next frame. So a frame is trusted only when the decoder
gets past it: the next frame decodes too, or the stream ends where the
container said it would. Truncated JPEG / PNG images are refused by their
missing end marker (decoders grey-fill them silently).
"""
import os
import os.path as osp
import re
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence

import cv2
import mmcv
import numpy as np
from mmengine.fileio import get

from .file_formats import (SNIFF_BYTES, VIDEO_FORMATS, image_format,
                           video_format)

__all__ = [
    'IMAGE_EXTENSIONS', 'VIDEO_EXTENSIONS', 'VideoInfo', 'VideoReadError',
    'VideoReadWarning', 'list_frame_files', 'natural_key', 'probe_video',
    'read_clip_frames', 'read_image_frame', 'read_video_frames', 'video_info'
]

#: Files of a frame folder that are frames, by lower-case extension.
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
#: Files of a folder of videos that are videos, by lower-case extension.
VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv')
_JPEG_EOI = b'\xff\xd9'
_PNG_IEND = b'IEND\xaeB`\x82'


class VideoReadError(RuntimeError):
    """A video, a frame folder or one of its frames cannot be read.

    The message is ``'<file> (frame <frame>): <reason>'``.

    Attributes:
        file (str): The video file, frame folder or frame image.
        frame (int | None): 0-based index of the frame that failed; None when
            the input cannot be opened at all.
        reason (str): What is wrong.
        usable_len (int | None): How many leading frames can be trusted
            (the frame before a decoding failure is not: it may be partly
            decoded).
        num_frames_announced (int | None): The frame count the container or
            the folder announced, when known.
    """

    def __init__(self,
                 file: str,
                 frame: Optional[int],
                 reason: str,
                 usable_len: Optional[int] = None,
                 num_frames_announced: Optional[int] = None) -> None:
        self.file = file
        self.frame = frame
        self.reason = reason
        self.usable_len = usable_len
        self.num_frames_announced = num_frames_announced
        where = file if frame is None else f'{file} (frame {frame})'
        super().__init__(f'{where}: {reason}')

    @property
    def path(self) -> str:
        """Alias of ``file``."""
        return self.file

    @property
    def frame_index(self) -> Optional[int]:
        """Alias of ``frame``."""
        return self.frame


class VideoReadWarning(UserWarning):
    """A clip, image or video skipped because it could not be read."""


class VideoInfo(NamedTuple):
    """What the container (or the folder) announces before decoding.

    ``fps`` is None for a folder or when the container gives none;
    ``num_frames`` is None when unknown.
    """
    fps: Optional[float]
    num_frames: Optional[int]


# ------------------------------------------------------------ frame images
def natural_key(name: str) -> list:
    """Sort key that puts ``f_2`` before ``f_10``."""
    return [
        int(s) if s.isdigit() else s.lower() for s in re.split(r'(\d+)', name)
    ]


def list_frame_files(folder: str) -> List[str]:
    """The image files of a frame folder (by extension), in natural order;
    empty when it holds none."""
    names = [
        e.name for e in os.scandir(folder) if e.is_file()
        and osp.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS
    ]
    return [osp.join(folder, n) for n in sorted(names, key=natural_key)]


def check_image_bytes(data: bytes, path: str,
                      frame: Optional[int] = None) -> None:
    """Refuse bytes that are no image, or a JPEG / PNG cut short.

    Raises:
        VideoReadError: naming ``path`` and ``frame``.
    """
    fmt = image_format(data[:SNIFF_BYTES])
    if fmt is None:
        raise VideoReadError(
            path, frame, 'not an image file by its content (empty file, '
            f'or first bytes {data[:8]!r} match no image format)')
    tail = data.rstrip(b'\x00\r\n ')
    if fmt == 'JPEG' and not tail.endswith(_JPEG_EOI):
        raise VideoReadError(path, frame,
                             'JPEG end-of-image marker missing (truncated)')
    if fmt == 'PNG' and not tail.endswith(_PNG_IEND):
        raise VideoReadError(path, frame, 'PNG IEND chunk missing (truncated)')


def read_image_frame(path: str,
                     frame: Optional[int] = None,
                     backend_args: Optional[dict] = None,
                     imdecode_backend: str = 'cv2') -> np.ndarray:
    """Read one image as (H, W, 3) uint8 BGR.

    Args:
        path (str): The image file (any mmengine file backend).
        frame (int, optional): Its index in its video, for the error.
        backend_args (dict, optional): mmengine file backend arguments.
        imdecode_backend (str): As for :func:`mmcv.imfrombytes`.

    Raises:
        VideoReadError: missing, not an image, truncated or undecodable.
    """
    try:
        data = get(path, backend_args=backend_args)
    except Exception as e:  # missing file, permission, backend error
        raise VideoReadError(path, frame,
                             f'cannot read file ({type(e).__name__}: {e})')
    check_image_bytes(data, path, frame)
    try:
        img = mmcv.imfrombytes(data, flag='color', channel_order='bgr',
                               backend=imdecode_backend)
    except Exception as e:  # e.g. pillow on a corrupt file
        raise VideoReadError(path, frame, f'not a decodable image '
                             f'({type(e).__name__}: {e})')
    if img is None:
        raise VideoReadError(path, frame, 'not a decodable image')
    return img


# ------------------------------------------------------------- video files
def _read_head(path: str) -> bytes:
    if not osp.exists(path):
        raise VideoReadError(path, None, 'does not exist')
    if not osp.isfile(path):
        raise VideoReadError(path, None, 'is neither a file nor a folder')
    with open(path, 'rb') as f:
        return f.read(SNIFF_BYTES)


def _open_video(path: str) -> cv2.VideoCapture:
    """Open a video file after checking by its content that it is one."""
    head = _read_head(path)
    if video_format(head) is None:
        raise VideoReadError(
            path, None, 'not a video file by its content (empty, or first '
            f'bytes {head[:8]!r} match none of {", ".join(VIDEO_FORMATS)})')
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        cap.release()
        raise VideoReadError(
            path, None, 'cannot open video file: OpenCV found no readable '
            'video stream (an unsupported codec, or a corrupt or truncated '
            'header)')
    return cap


def _announced_frames(cap: cv2.VideoCapture) -> Optional[int]:
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT)
    return int(count) if np.isfinite(count) and count > 0 else None


def probe_video(path: str) -> int:
    """Frame count of a video file: the container's, else counted by
    decoding. Raises VideoReadError when it cannot be opened."""
    cap = _open_video(path)
    try:
        count = _announced_frames(cap)
        if count is None:
            count = 0
            while cap.grab():
                count += 1
        return count
    finally:
        cap.release()


def video_info(path: str) -> VideoInfo:
    """Frame rate and frame count announced by a video file, an image (one
    frame) or a frame folder. Raises VideoReadError when it cannot be
    opened."""
    path = str(path)
    if osp.isdir(path):
        return VideoInfo(fps=None, num_frames=len(_folder_frames(path)))
    if image_format(_read_head(path)) is not None:
        return VideoInfo(fps=None, num_frames=1)
    cap = _open_video(path)
    try:
        fps = cap.get(cv2.CAP_PROP_FPS)
        return VideoInfo(
            fps=float(fps) if np.isfinite(fps) and fps > 0 else None,
            num_frames=_announced_frames(cap))
    finally:
        cap.release()


def read_clip_frames(path: str,
                     indices: Sequence[int],
                     header_len: int,
                     seek_threshold: Optional[int] = 16
                     ) -> Dict[int, np.ndarray]:
    """Decode only the given frames of a video file (random access).

    Frames are decoded forward; a jump of more than ``seek_threshold`` frames
    seeks with ``CAP_PROP_POS_FRAMES``, and a seek that lands elsewhere is an
    error. The last needed frame is refused when the one after it (which
    the header promises) does not decode: it may be the frame at the cut.

    Args:
        path (str): The video file.
        indices (Sequence[int]): Frame indices (any order, repeats allowed).
        header_len (int): Frame count from the container header.
        seek_threshold (int, optional): Seek instead of decoding forward
            past more than this many frames. None never seeks.

    Returns:
        dict[int, np.ndarray]: (H, W, 3) uint8 BGR frame per index.

    Raises:
        VideoReadError: naming the file and frame, with ``usable_len``.
    """
    cap = _open_video(path)
    wanted = sorted(set(int(i) for i in indices))
    frames: Dict[int, np.ndarray] = {}
    hint = f'the header says {header_len} frames; the file may be truncated'

    def error(frame, reason, usable):
        return VideoReadError(path, frame, reason, max(usable, 0), header_len)

    pos = 0  # index of the frame the next read returns
    try:
        for idx in wanted:
            if seek_threshold is not None and idx - pos > seek_threshold:
                cap.set(cv2.CAP_PROP_POS_FRAMES, idx)
                landed = int(cap.get(cv2.CAP_PROP_POS_FRAMES))
                if landed != idx:
                    raise error(
                        idx, f'seeking landed on frame {landed} ({hint}; if '
                        'the file is intact, its codec may not seek exactly: '
                        'set seek_threshold=None)',
                        min(landed, idx) - 1)
                pos = idx
            while pos < idx:
                if not cap.grab():
                    raise error(pos, f'cannot decode ({hint})', pos - 1)
                pos += 1
            ok, frame = cap.read()
            if not ok or frame is None:
                raise error(idx, f'cannot decode ({hint})', idx - 1)
            frames[idx] = frame
            pos += 1
        last = wanted[-1]
        if last + 1 < header_len and not cap.grab():
            raise error(
                last, f'may be incomplete: the next frame {last + 1} cannot '
                f'be decoded ({hint})', last)
    finally:
        cap.release()
    return frames


# ------------------------------------------------------ streaming a video
def _folder_frames(folder: str) -> List[str]:
    files = list_frame_files(folder)
    if not files:
        raise VideoReadError(
            folder, None, 'frame folder holds no image file '
            f'({", ".join(IMAGE_EXTENSIONS)})')
    return files


def _stream_folder(files: List[str]) -> Iterator[np.ndarray]:
    for index, file in enumerate(files):
        try:
            yield read_image_frame(file, index)
        except VideoReadError as e:
            e.usable_len, e.num_frames_announced = index, len(files)
            raise


def _stream_file(path: str) -> Iterator[np.ndarray]:
    cap = _open_video(path)
    try:
        announced = _announced_frames(cap)
        ok, pending = cap.read()
        if not ok:
            raise VideoReadError(path, 0, 'no frame decodes; the file may be '
                                 'corrupt', 0, announced)
        index = 0  # index of ``pending``
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            yield pending
            pending, index = frame, index + 1
        if announced is None or index + 1 >= announced:
            yield pending  # the stream ended where the container said
            return
        raise VideoReadError(
            path, index + 1,
            f'does not decode although the container announces {announced} '
            f'frames (the file is truncated or corrupt); frame {index} '
            'before it is left out too, as it may be partly decoded', index,
            announced)
    finally:
        cap.release()


def read_video_frames(path: str) -> Iterator[np.ndarray]:
    """Decode a video file, an image or a frame folder one frame at a time.

    Nothing is kept between frames but one frame of look-ahead (see the
    module notes); closing the generator (or leaving a ``for`` loop early)
    releases the decoder.

    Args:
        path (str): A video file (by content: :data:`VIDEO_FORMATS`), an
            image file (one frame) or a folder of images, read in natural
            order of their names.

    Yields:
        np.ndarray: (H, W, 3) uint8 BGR frames.

    Raises:
        VideoReadError: ``frame_index`` None: the input cannot be opened at
            all (raised at the call). Otherwise decoding failed at that frame
            (e.g. a truncated file, whose container announces more frames
            than it holds); the ``usable_len`` frames before have been
            yielded.
    """
    path = str(path)
    if osp.isdir(path):
        return _stream_folder(_folder_frames(path))
    if image_format(_read_head(path)) is not None:
        return _stream_folder([path])
    _open_video(path).release()  # fail at the call, not at the first frame
    return _stream_file(path)
