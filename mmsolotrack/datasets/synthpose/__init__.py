# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SynthPose: a small PoseTrack-2018-format data set with known ground truth.

``python -m mmsolotrack.datasets.synthpose --out data/synthpose --seed 0``
writes it; :func:`generate_synthpose` does the same from Python.
"""
from .config import SYNTHPOSE_VERSION, SynthPoseConfig
from .generator import SPLITS, generate_synthpose
from .identity import link_accuracy

__all__ = [
    'SPLITS', 'SYNTHPOSE_VERSION', 'SynthPoseConfig', 'generate_synthpose',
    'link_accuracy'
]
