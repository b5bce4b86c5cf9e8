# Copyright (c) mmsolotrack contributors. All rights reserved.
from .solotrack_data_preprocessor import SOLOTrackDataPreprocessor

__all__ = ['SOLOTrackDataPreprocessor']
