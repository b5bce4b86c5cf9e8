# Copyright (c) mmsolotrack contributors. All rights reserved.
from .checked_youtube_vis_dataset import CheckedYouTubeVISDataset
from .coco_ytvis import CocoYTVISDataset
from .posetrack_image_dataset import PoseTrackImageDataset
from .posetrack_json import (POSETRACK18_KEYPOINTS, POSETRACK18_SKELETON,
                             PoseTrackFormatError, read_posetrack18,
                             write_posetrack_results)
from .transforms import *  # noqa: F401,F403
from .unlabeled_video_dataset import UnlabeledVideoDataset
from .unreadable_images import SkipUnreadableImagesMixin
from .video_frame_dataset import VideoFrameDataset

__all__ = [
    'CheckedYouTubeVISDataset', 'CocoYTVISDataset', 'POSETRACK18_KEYPOINTS',
    'POSETRACK18_SKELETON', 'PoseTrackFormatError', 'PoseTrackImageDataset', 'read_posetrack18',
    'write_posetrack_results',
    'SkipUnreadableImagesMixin', 'UnlabeledVideoDataset', 'VideoFrameDataset'
]
