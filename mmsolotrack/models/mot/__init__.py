# Copyright (c) mmsolotrack contributors. All rights reserved.
from .solotrack import SOLOTrack

__all__ = ['SOLOTrack']
