# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embed_targets import (center_region_cells, instance_cell_map,
                            instance_levels)

__all__ = ['center_region_cells', 'instance_cell_map', 'instance_levels']
