# Copyright (c) mmsolotrack contributors. All rights reserved.
from .checked_youtube_vis_dataset import CheckedYouTubeVISDataset
from .coco_ytvis import CocoYTVISDataset
from .transforms import *  # noqa: F401,F403
from .unlabeled_video_dataset import UnlabeledVideoDataset
from .unreadable_images import SkipUnreadableImagesMixin
from .video_frame_dataset import VideoFrameDataset

__all__ = [
    'CheckedYouTubeVISDataset', 'CocoYTVISDataset',
    'SkipUnreadableImagesMixin', 'UnlabeledVideoDataset', 'VideoFrameDataset'
]
