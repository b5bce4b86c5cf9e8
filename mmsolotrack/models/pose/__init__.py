# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embed_pose_track import EmbedPoseTrack
from .pose_embed_head import PoseEmbedHead, box_center_pool
from .yoloxpose_assign_head import YOLOXPoseAssignHead

__all__ = [
    'EmbedPoseTrack', 'PoseEmbedHead', 'YOLOXPoseAssignHead',
    'box_center_pool'
]
