# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Labelled image datasets skip (and count) an unreadable image in training.

One corrupt file among a hundred thousand should not end a training run at
the same image on every restart, nor lose the epoch's work. The image loader
:class:`~mmsolotrack.datasets.transforms.LoadCheckedImageFromFile` names what
is wrong; this mixin turns that error into a skip, as
:class:`~mmsolotrack.datasets.UnlabeledVideoDataset` does for clips: a
:class:`~mmsolotrack.datasets.video_io.VideoReadWarning` names the file, the
skip is recorded in a :class:`~mmsolotrack.datasets.skip_log.SkipLog`
(shared by DataLoader workers), mmengine draws another image, and
:class:`~mmsolotrack.engine.hooks.VideoReadReportHook` lists the skipped
files at the end of each epoch. In ``test_mode`` the error is raised: an
evaluation must not leave an image out.
"""
import warnings
from typing import Optional

from .skip_log import SkipCountsMixin, SkipLog
from .video_io import VideoReadError, VideoReadWarning


class SkipUnreadableImagesMixin(SkipCountsMixin):
    """``prepare_data`` that skips an image the loader cannot read.

    Put it before the mmengine dataset class in the bases. The pipeline must
    load with ``LoadCheckedImageFromFile`` (mmcv's loader raises a bare
    ``AssertionError``, which is not caught).

    Attributes:
        skip_log (SkipLog): One record per skipped read, from all workers.
    """

    def __init__(self, *args, **kwargs) -> None:
        self.skip_log = SkipLog()  # before workers fork: they share the file
        super().__init__(*args, **kwargs)

    def prepare_data(self, idx: int) -> Optional[dict]:
        """The idx-th image through the pipeline; None (mmengine then draws
        another image) when it cannot be read during training."""
        try:
            return super().prepare_data(idx)
        except VideoReadError as err:
            if self.test_mode:
                raise
            warnings.warn(
                f'{type(self).__name__}: skipped an unreadable image: {err}',
                VideoReadWarning,
                stacklevel=2)
            self.skip_log.add(err.file, err.frame, err.reason)
            return None
