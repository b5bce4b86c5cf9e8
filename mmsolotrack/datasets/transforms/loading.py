# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Load a still image with the checks of the video reader."""
from typing import Optional

import numpy as np
from mmcv.transforms import LoadImageFromFile

from mmsolotrack.registry import TRANSFORMS
from ..video_io import read_image_frame


@TRANSFORMS.register_module()
class LoadCheckedImageFromFile(LoadImageFromFile):
    """``LoadImageFromFile`` that names what is wrong with a bad image.

    mmcv's loader stops with a bare ``AssertionError`` on an undecodable
    file and grey-fills a truncated JPEG / PNG without a word. This one
    reads with :func:`~mmsolotrack.datasets.video_io.read_image_frame`
    (content check, end marker of JPEG / PNG) and raises
    :class:`~mmsolotrack.datasets.video_io.VideoReadError` naming the file,
    which the labelled image datasets turn into a counted skip during
    training (see :class:`~mmsolotrack.datasets.SkipUnreadableImagesMixin`).

    Args:
        to_float32 (bool): As for mmcv's loader. ``color_type`` is always
            ``'color'`` (BGR) and ``ignore_empty`` is not supported (a bad
            image is an error, never a silent None).
        **kwargs: ``imdecode_backend`` and ``backend_args`` as for mmcv's.
    """

    def __init__(self, to_float32: bool = False, **kwargs) -> None:
        for key in ('color_type', 'ignore_empty'):
            if key in kwargs:
                raise ValueError(f'LoadCheckedImageFromFile: {key} is not '
                                 'supported (color BGR images, errors named)')
        super().__init__(to_float32=to_float32, **kwargs)

    def transform(self, results: dict) -> Optional[dict]:
        img = read_image_frame(results['img_path'], None, self.backend_args,
                               self.imdecode_backend)
        if self.to_float32:
            img = img.astype(np.float32)
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results
