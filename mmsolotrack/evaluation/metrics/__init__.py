# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embedding_diagnostic_metric import (EmbeddingDiagnosticMetric,
                                          embedding_retrieval_stats)
from .frame_segm_metric import FrameSegmMetric, coco_segm_ap, match_frame
from .id_switch_metric import IDSwitchMetric, count_id_switches
from .oracle_association_metric import OracleAssociationMetric
from .posetrack_metric import PoseTrackMetric
from .youtube_vis_metric import YouTubeVISMetric

__all__ = [
    'EmbeddingDiagnosticMetric', 'IDSwitchMetric', 'YouTubeVISMetric',
    'FrameSegmMetric', 'OracleAssociationMetric', 'PoseTrackMetric',
    'coco_segm_ap',
    'match_frame',
    'count_id_switches',
    'embedding_retrieval_stats'
]
