# Copyright (c) mmsolotrack contributors. All rights reserved.
from .mask_pool import mask_pool_embeddings, masks_to_levels

__all__ = ['mask_pool_embeddings', 'masks_to_levels']
