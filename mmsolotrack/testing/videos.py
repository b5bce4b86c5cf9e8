# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Short videos written on the spot, so video tests run on any clone.

Every frame says its own index: the top half is a flat colour that encodes
it (:func:`decode_index` reads it back through JPEG / MPEG-4 coding), the
bottom half is seeded noise, so each MJPG frame is a few kilobytes and a cut
inside one leaves a partly decoded frame, as in real truncated files.
"""
import os
import os.path as osp
from typing import List, Tuple

import cv2
import numpy as np

__all__ = [
    'avi_frame_chunks', 'cut_image', 'decode_index', 'index_frame',
    'truncate_avi', 'write_index_frames', 'write_video'
]


def index_frame(index: int, size: Tuple[int, int] = (128, 96)) -> np.ndarray:
    """The (H, W, 3) uint8 BGR frame ``index`` (0..63) of a test video."""
    width, height = size
    frame = np.empty((height, width, 3), np.uint8)
    frame[:height // 2] = [(index >> (2 * c) & 3) * 80 + 10 for c in range(3)]
    rng = np.random.default_rng(index)
    noise_shape = (height - height // 2, width, 3)
    frame[height // 2:] = rng.integers(0, 256, noise_shape, dtype=np.uint8)
    return frame


def decode_index(frame: np.ndarray) -> int:
    """The index :func:`index_frame` wrote into a (decoded) frame."""
    top = frame[:frame.shape[0] // 2].reshape(-1, 3)
    digits = np.clip(np.rint((np.median(top, axis=0) - 10) / 80), 0, 3)
    return int(sum(int(d) << (2 * c) for c, d in enumerate(digits)))


def write_video(path: str,
                num_frames: int,
                fourcc: str = 'MJPG',
                size: Tuple[int, int] = (128, 96),
                fps: float = 10) -> str:
    """Write frames 0..num_frames - 1 of :func:`index_frame` with OpenCV
    (``MJPG`` for .avi, ``mp4v`` for .mp4); returns ``path``."""
    path = str(path)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                             size)
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write {path} with {fourcc}')
    for i in range(num_frames):
        writer.write(index_frame(i, size))
    writer.release()
    return path


def write_index_frames(folder,
                       num_frames: int,
                       name: str = '{}.jpg',
                       size: Tuple[int, int] = (128, 96)) -> List[str]:
    """Write frames 0..num_frames - 1 of :func:`index_frame` as images
    ``folder/name.format(i)`` (the folder is created); returns the paths."""
    os.makedirs(str(folder), exist_ok=True)
    paths = []
    for i in range(num_frames):
        path = osp.join(str(folder), name.format(i))
        if not cv2.imwrite(path, index_frame(i, size)):
            raise RuntimeError(f'OpenCV cannot write {path}')
        paths.append(path)
    return paths


def cut_image(path, num_bytes: int = 300) -> str:
    """Drop the last ``num_bytes`` of an image file, as an interrupted copy
    does: a JPEG so cut loses its end-of-image marker, yet OpenCV still
    decodes it (half grey). Returns ``path``."""
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:-num_bytes])
    return str(path)


def avi_frame_chunks(data: bytes) -> List[Tuple[int, int]]:
    """(offset, size) of each video chunk (``00dc``) of an AVI file's
    ``movi`` list, in frame order."""
    pos = data.index(b'movi') + 4
    end = data.find(b'idx1', pos)
    end = len(data) if end < 0 else end
    chunks = []
    while pos + 8 <= end:
        tag, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8],
                                                      'little')
        if tag == b'00dc':
            chunks.append((pos, size))
        pos += 8 + size + (size & 1)
    return chunks


def truncate_avi(src: str, dst: str, frame: int, fraction: float) -> str:
    """Copy an AVI cut inside the data of ``frame``.

    ``fraction`` 0 cuts just before the frame (it and all later frames are
    missing; the header still announces them all); 0 < ``fraction`` < 1 cuts
    that far into its data: OpenCV then decodes ``frame`` partly (whole
    looking, wrong pixels) and fails at ``frame + 1``.
    """
    with open(src, 'rb') as f:
        data = f.read()
    offset, size = avi_frame_chunks(data)[frame]
    cut = offset if fraction == 0 else offset + 8 + int(size * fraction)
    if not osp.isdir(osp.dirname(osp.abspath(dst))):
        raise FileNotFoundError(f'no folder for {dst}')
    with open(dst, 'wb') as f:
        f.write(data[:cut])
    return str(dst)
