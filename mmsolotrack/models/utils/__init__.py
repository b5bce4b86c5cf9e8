# Copyright (c) mmsolotrack contributors. All rights reserved.
from .detector_heads import (check_detector, detector_heads, detector_loss,
                             detector_num_classes, detector_predict,
                             heads_in_test_mode)
from .mask_pool import (center_pool_embeddings, mask_pool_embeddings,
                        masks_to_levels)

__all__ = [
    'center_pool_embeddings', 'mask_pool_embeddings', 'masks_to_levels',
    'check_detector', 'detector_heads', 'detector_loss',
    'detector_num_classes', 'detector_predict', 'heads_in_test_mode'
]
