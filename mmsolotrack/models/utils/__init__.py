# Copyright (c) mmsolotrack contributors. All rights reserved.
from .mask_pool import (center_pool_embeddings, mask_pool_embeddings,
                        masks_to_levels)

__all__ = [
    'center_pool_embeddings', 'mask_pool_embeddings', 'masks_to_levels'
]
