# Copyright (c) mmsolotrack contributors. All rights reserved.
from .ytviseval import YTVISEvalNumpy2, precision_recall_curves

__all__ = ['YTVISEvalNumpy2', 'precision_recall_curves']
