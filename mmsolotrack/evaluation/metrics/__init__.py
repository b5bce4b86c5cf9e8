# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embedding_diagnostic_metric import (EmbeddingDiagnosticMetric,
                                          embedding_retrieval_stats)
from .id_switch_metric import IDSwitchMetric, count_id_switches
from .youtube_vis_metric import YouTubeVISMetric

__all__ = [
    'EmbeddingDiagnosticMetric', 'IDSwitchMetric', 'YouTubeVISMetric',
    'count_id_switches',
    'embedding_retrieval_stats'
]
