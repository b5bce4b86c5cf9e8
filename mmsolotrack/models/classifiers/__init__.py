# Copyright (c) mmsolotrack contributors. All rights reserved.
from .crop_classifier import CropClassifier
from .crop_sampling import crop_boxes, expand_boxes, jitter_boxes
from .relabel import CLS_SCORES, relabel_instances

__all__ = [
    'CropClassifier', 'crop_boxes', 'expand_boxes', 'jitter_boxes',
    'CLS_SCORES', 'relabel_instances'
]
