# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embedding_tracker import (EmbeddingTracker, encode_masks_rle,
                                mask_iou_rle, match_by_similarity)
from .ground_truth_tracking import track_ground_truth
from .mask_iou_tracker import MaskIoUTracker

__all__ = [
    'EmbeddingTracker', 'MaskIoUTracker', 'encode_masks_rle', 'mask_iou_rle',
    'match_by_similarity', 'track_ground_truth'
]
