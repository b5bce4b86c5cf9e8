# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The SynthVIS side-by-side (tools/analysis_tools/benchmark_synthvis.py):
its methods and shared budget, its timings and its report."""
from .budget import (CONFIGS, METHODS, SYNTHVIS_SIZE, batch_composition,
                     check_budget, config_paths, continue_from, input_scales,
                     prepare)
from .report import metrics_row, plot, r50_lines, write_report
from .timing import (bare_detector_cfg, r50_speed, speed_table,
                     time_per_frame, tracker_scaling)

__all__ = [
    'CONFIGS', 'METHODS', 'SYNTHVIS_SIZE', 'batch_composition',
    'check_budget', 'config_paths', 'continue_from', 'input_scales',
    'prepare', 'metrics_row', 'plot', 'r50_lines', 'write_report',
    'bare_detector_cfg', 'r50_speed', 'speed_table', 'time_per_frame',
    'tracker_scaling'
]
