# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SynthVIS: a small YouTube-VIS-format data set with known ground truth.

``python -m mmsolotrack.datasets.synthvis --out data/synthvis --seed 0``
writes it; :func:`generate_synthvis` does the same from Python.
"""
from .config import SYNTHVIS_VERSION, SynthVISConfig
from .ensure import ensure_synthvis
from .generator import SPLITS, generate_synthvis, synthvis_categories
from .shapes import SYNTHVIS_CLASSES, SYNTHVIS_PALETTE

__all__ = [
    'SPLITS', 'SYNTHVIS_CLASSES', 'SYNTHVIS_PALETTE', 'SYNTHVIS_VERSION',
    'SynthVISConfig', 'ensure_synthvis', 'generate_synthvis',
    'synthvis_categories'
]
