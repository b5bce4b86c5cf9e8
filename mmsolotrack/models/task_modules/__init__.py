# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embed_sampling import sample_cell_embeddings
from .embed_targets import (center_region_cells, instance_cell_map,
                            instance_levels)
from .view_augment import RandomViewAugment, affine_view, relight

__all__ = [
    'center_region_cells', 'instance_cell_map', 'instance_levels',
    'sample_cell_embeddings', 'RandomViewAugment', 'affine_view', 'relight'
]
