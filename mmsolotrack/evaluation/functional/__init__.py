# Copyright (c) mmsolotrack contributors. All rights reserved.
from .clear_mot import ClearMOTAccumulator, clear_mot_summary
from .posetrack_eval import (PCKH_THRESHOLD, POSETRACK_JOINT_GROUPS,
                             POSETRACK_JOINTS, assign_poses, average_precision,
                             posetrack_ap, posetrack_mota, evaluate_posetrack,
                             head_size, match_pose_frame, pckh_distances)
from .posetrack_frames import posetrack_frames
from .ytviseval import YTVISEvalNumpy2, precision_recall_curves

__all__ = [
    'YTVISEvalNumpy2', 'precision_recall_curves', 'ClearMOTAccumulator',
    'clear_mot_summary', 'PCKH_THRESHOLD', 'POSETRACK_JOINT_GROUPS',
    'POSETRACK_JOINTS', 'assign_poses', 'average_precision', 'posetrack_ap',
    'posetrack_mota', 'evaluate_posetrack', 'head_size', 'match_pose_frame',
    'pckh_distances', 'posetrack_frames'
]
