# Copyright (c) mmsolotrack contributors. All rights reserved.
from .transforms import *  # noqa: F401,F403
from .video_frame_dataset import VideoFrameDataset

__all__ = ['VideoFrameDataset']
