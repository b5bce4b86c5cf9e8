# Copyright (c) mmsolotrack contributors. All rights reserved.
from .pseudo_instances import select_pseudo_instances
from .solotrack import SOLOTrack

__all__ = ['SOLOTrack', 'select_pseudo_instances']
