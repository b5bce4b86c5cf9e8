# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Run a stock mmdet detector's heads on features computed once.

A VIS model that adds a track head beside a detector extracts the FPN
features once (``detector.extract_feat``) and gives them to both; mmdet's
``loss`` / ``predict`` of a detector extract them again. These functions are
the head calls of mmdet's single-stage detectors after ``extract_feat``
(``SingleStageInstanceSegmentor``: SOLO, SOLOv2, Decoupled SOLO, CondInst,
YOLACT-like; ``SingleStageDetector``: e.g. RTMDet with RTMDetInsSepBNHead),
as mmdet's own MaskTrackRCNN / QDTrack call their detector's heads.
"""
import copy
from contextlib import contextmanager
from typing import Dict, Iterator, List, Sequence

from mmdet.models.detectors.single_stage import SingleStageDetector
from mmdet.models.detectors.single_stage_instance_seg import \
    SingleStageInstanceSegmentor
from mmengine.structures import InstanceData
from torch import Tensor, nn

_SUPPORTED = (SingleStageInstanceSegmentor, SingleStageDetector)


def check_detector(detector: nn.Module) -> None:
    """Refuse detectors whose heads these functions cannot drive."""
    if not isinstance(detector, _SUPPORTED):
        raise TypeError(
            'the detector must be an mmdet single-stage instance segmentor '
            '(SOLO, SOLOv2, DecoupledSOLO, ...) or single-stage detector '
            f'with a mask-predicting bbox_head (RTMDet-Ins), got '
            f'{type(detector).__name__}')


def detector_heads(detector: nn.Module) -> List[nn.Module]:
    """The detector's heads in call order (``bbox_head``, ``mask_head``)."""
    return [
        getattr(detector, name) for name in ('bbox_head', 'mask_head')
        if getattr(detector, name, None) is not None
    ]


def detector_num_classes(detector: nn.Module) -> int:
    """The number of classes the detector's last head predicts."""
    return detector_heads(detector)[-1].num_classes


def detector_loss(detector: nn.Module, x: Sequence[Tensor],
                  batch_data_samples: list) -> Dict[str, Tensor]:
    """mmdet's ``detector.loss`` on features ``x`` (L levels (B, C, H, W))."""
    if not isinstance(detector, SingleStageInstanceSegmentor):
        return detector.bbox_head.loss(x, batch_data_samples)
    losses, positive_infos = {}, None
    if detector.with_bbox:
        losses.update(detector.bbox_head.loss(x, batch_data_samples))
        positive_infos = detector.bbox_head.get_positive_infos()
    losses.update(
        detector.mask_head.loss(
            x, batch_data_samples, positive_infos=positive_infos))
    return losses


def detector_predict(detector: nn.Module, x: Sequence[Tensor],
                     batch_data_samples: list,
                     rescale: bool = True) -> List[InstanceData]:
    """mmdet's ``detector.predict`` on features ``x``, before
    ``add_pred_to_datasample``: per image ``scores``, ``labels``, ``masks``
    (N, h, w) and, from most detectors, ``bboxes``."""
    if not isinstance(detector, SingleStageInstanceSegmentor):
        return detector.bbox_head.predict(
            x, batch_data_samples, rescale=rescale)
    results_list = None
    if detector.with_bbox:
        results_list = detector.bbox_head.predict(
            x, batch_data_samples, rescale=False)
    return detector.mask_head.predict(
        x, batch_data_samples, rescale=rescale, results_list=results_list)


@contextmanager
def heads_in_test_mode(detector: nn.Module,
                       **test_cfg: object) -> Iterator[None]:
    """The detector's heads in eval mode (their test-time forward) with
    ``test_cfg`` entries overridden, both restored on exit. Keys a head's
    ``test_cfg`` lacks are skipped (e.g. matrix NMS's ``filter_thr``)."""
    heads = detector_heads(detector)
    saved = [(head, head.training, head.test_cfg) for head in heads]
    try:
        for head in heads:
            head.eval()
            if test_cfg and head.test_cfg is not None:
                cfg = copy.deepcopy(head.test_cfg)
                for key, value in test_cfg.items():
                    if key in cfg:
                        cfg[key] = value
                head.test_cfg = cfg
        yield
    finally:
        for head, training, cfg in saved:
            head.train(training)
            head.test_cfg = cfg
