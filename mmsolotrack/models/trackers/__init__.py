# Copyright (c) mmsolotrack contributors. All rights reserved.
from .association import (encode_masks_rle, mask_iou_rle, match_by_similarity,
                          match_max_iou, rle_to_json, segmentation_to_rle)
from .embedding_tracker import EmbeddingTracker
from .ground_truth_tracking import track_ground_truth
from .mask_iou_tracker import MaskIoUTracker
from .pose_embedding_tracker import PoseEmbeddingTracker

__all__ = [
    'EmbeddingTracker', 'MaskIoUTracker', 'PoseEmbeddingTracker', 'encode_masks_rle', 'mask_iou_rle',
    'match_by_similarity', 'match_max_iou', 'rle_to_json',
    'segmentation_to_rle', 'track_ground_truth'
]
