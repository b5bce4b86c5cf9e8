# Copyright (c) mmsolotrack contributors. All rights reserved.
from .crop_classifier import CropClassifier
from .crop_sampling import crop_boxes, expand_boxes, jitter_boxes

__all__ = ['CropClassifier', 'crop_boxes', 'expand_boxes', 'jitter_boxes']
