# Copyright (c) mmsolotrack contributors. All rights reserved.
"""What a file is, by its first bytes, not by its name.

FFmpeg (behind ``cv2.VideoCapture``) opens far more than videos: its ``tty``
demuxer renders a ``.txt`` file as frames of text. The readers therefore ask
:func:`sniff_format` first and refuse a file whose content is neither a
video container nor an image format listed here.
"""
from typing import Optional

__all__ = [
    'IMAGE_FORMATS', 'VIDEO_FORMATS', 'SNIFF_BYTES', 'image_format',
    'sniff_format', 'video_format'
]

#: Bytes read from the start of a file to tell its format.
SNIFF_BYTES = 512

#: Image formats the readers decode (OpenCV): name -> test on the head.
IMAGE_FORMATS = {
    'JPEG': lambda h: h.startswith(b'\xff\xd8\xff'),
    'PNG': lambda h: h.startswith(b'\x89PNG\r\n\x1a\n'),
    'BMP': lambda h: h.startswith(b'BM'),
    'TIFF': lambda h: h[:4] in (b'II*\x00', b'MM\x00*'),
    'WebP': lambda h: h[:4] == b'RIFF' and h[8:12] == b'WEBP',
}

#: Video containers and streams: name -> test on the head.
VIDEO_FORMATS = {
    'AVI': lambda h: h[:4] == b'RIFF' and h[8:12] == b'AVI ',
    'MP4/MOV': lambda h: h[4:8] in (b'ftyp', b'moov', b'mdat', b'free',
                                    b'wide', b'skip'),
    'Matroska/WebM': lambda h: h.startswith(b'\x1a\x45\xdf\xa3'),
    'FLV': lambda h: h.startswith(b'FLV\x01'),
    'MPEG-PS': lambda h: h.startswith(b'\x00\x00\x01\xba'),
    'MPEG-TS': lambda h: len(h) > 188 and h[0] == h[188] == 0x47,
    'Ogg': lambda h: h.startswith(b'OggS'),
    'ASF/WMV': lambda h: h.startswith(b'\x30\x26\xb2\x75\x8e\x66\xcf\x11'),
    'Y4M': lambda h: h.startswith(b'YUV4MPEG2'),
    'H.264/H.265 stream': lambda h: h.startswith((b'\x00\x00\x00\x01',
                                                   b'\x00\x00\x01')),
}


def image_format(head: bytes) -> Optional[str]:
    """The name of the image format ``head`` starts, or None."""
    return next((n for n, test in IMAGE_FORMATS.items() if test(head)), None)


def video_format(head: bytes) -> Optional[str]:
    """The name of the video container ``head`` starts, or None."""
    return next((n for n, test in VIDEO_FORMATS.items() if test(head)), None)


def sniff_format(head: bytes) -> Optional[str]:
    """An image format's or a video container's name, or None for anything
    else (text, archives, an empty file...)."""
    return image_format(head) or video_format(head)
