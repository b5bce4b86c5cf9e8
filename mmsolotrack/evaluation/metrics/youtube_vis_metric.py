# Copyright (c) mmsolotrack contributors. All rights reserved.
"""YouTube-VIS / OVIS video instance segmentation AP on numpy 2."""
import contextlib
import io
from collections import Counter, defaultdict
from typing import Dict, List, Optional, Sequence, Union

from mmdet.evaluation.functional import YTVIS
from mmdet.evaluation.metrics import \
    YouTubeVISMetric as MMDetYouTubeVISMetric
from mmengine.logging import print_log

from mmsolotrack.registry import METRICS
from ..functional import YTVISEvalNumpy2

# names of ``YTVISeval.stats``, in its order
STAT_NAMES = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10',
              'AR100', 'ARs100', 'ARm100', 'ARl100')
DEFAULT_METRIC_ITEMS = ('AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1',
                        'AR10')


@METRICS.register_module()
class YouTubeVISMetric(MMDetYouTubeVISMetric):
    """Mask AP of video instance segmentation (YouTube-VIS 2019/2021, OVIS).

    mmdet's metric with two changes: AP is computed with
    :class:`YTVISEvalNumpy2` (mmdet's evaluator crashes on numpy 2), and the
    metric is named ``'segm'`` with COCO-style item names. The loop feeds it
    as mmdet's: ``process`` gets one whole video per ``TrackDataSample``
    (per frame ``pred_track_instances`` and the raw ``instances``
    annotations as ground truth). Categories come from
    ``dataset_meta['classes']`` (category id = class index + 1).

    Returned keys are ``segm_<item>`` (``evaluate`` prepends
    ``youtube_vis/``), by default ``segm_AP, segm_AP50, segm_AP75, segm_APs,
    segm_APm, segm_APl, segm_AR1, segm_AR10``. Values are unrounded floats in
    [0, 1], or -1 (the COCO convention, never NaN) where no non-ignored
    ground truth exists for the setting, e.g. ``APl`` when no object is
    large. Missing predictions score 0.

    Args:
        metric (str | list[str]): must be ``'segm'``. Defaults to 'segm'.
        metric_items (Sequence[str], optional): stats to return, from
            ``AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs100,
            ARm100, ARl100``. Defaults to the first eight.
        outfile_prefix (str, optional): with ``format_only``, the results go
            to ``<outfile_prefix>.json`` and
            ``<outfile_prefix>.submission_file.zip`` (member
            ``results.json``, the official submission layout).
        collect_device (str): 'cpu' or 'gpu'. Defaults to 'cpu'.
        prefix (str, optional): key prefix; defaults to 'youtube_vis'.
        format_only (bool): only write the submission files, return {}.
            Needs ``outfile_prefix``. Defaults to False.
        class_agnostic (bool): also return ``segm_agnostic_<item>``, the
            same items with categories ignored in matching (``useCats=0``):
            a track counts if its masks match an instance, whatever class
            it predicts. Separates segmentation + tracking quality from
            classification. Defaults to False.
    """

    def __init__(self,
                 metric: Union[str, List[str]] = 'segm',
                 metric_items: Optional[Sequence[str]] = None,
                 outfile_prefix: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 format_only: bool = False,
                 class_agnostic: bool = False) -> None:
        metrics = metric if isinstance(metric, list) else [metric]
        if metrics != ['segm']:
            raise KeyError(
                f"YouTubeVISMetric: metric must be 'segm', got {metric!r}.")
        items = DEFAULT_METRIC_ITEMS if metric_items is None else tuple(
            metric_items)
        unknown = [item for item in items if item not in STAT_NAMES]
        if unknown:
            raise KeyError(f'YouTubeVISMetric: metric_items {unknown} are '
                           f'not supported; choose from {STAT_NAMES}.')
        if format_only and outfile_prefix is None:
            raise ValueError('YouTubeVISMetric: format_only=True needs '
                             'outfile_prefix, where the results are written.')
        super().__init__(
            metric='youtube_vis_ap',
            outfile_prefix=outfile_prefix,
            collect_device=collect_device,
            prefix=prefix,
            format_only=format_only)
        self.metrics = metrics
        self.metric_items = items
        self.class_agnostic = class_agnostic

    def compute_metrics(self, results: List) -> Dict[str, float]:
        """Evaluate (or, with ``format_only``, save) the processed videos.

        Args:
            results (list): one ``(predictions, ground truths)`` pair per
                video, as ``process`` stored them.

        Returns:
            dict[str, float]: ``segm_<item>`` for each metric item; empty
            with ``format_only``.
        """
        if not results:
            raise ValueError('YouTubeVISMetric: no video was processed.')
        video_preds, video_gts = zip(*results)
        gts = self.format_gts(video_gts)
        preds = self.format_preds(video_preds)
        if self.format_only:
            self.save_pred_results(preds)
            return dict()
        repeated = [
            i for i, n in Counter(
                ann['id'] for ann in gts['annotations']).items() if n > 1
        ]
        if repeated:
            raise ValueError(
                'YouTubeVISMetric: ground-truth instance ids must be unique '
                f'across videos; ids {repeated[:10]} occur in several.')

        out = self._evaluate(gts, preds, use_cats=True, name='')
        if self.class_agnostic:
            out.update(
                self._evaluate(gts, preds, use_cats=False, name='agnostic_'))
        return out

    def _evaluate(self, gts: dict, preds: List[dict], use_cats: bool,
                  name: str) -> Dict[str, float]:
        """One YTVIS evaluation; returns ``segm_<name><item>``."""
        # mmdet's evaluation code prints; send its report to the logger
        with contextlib.redirect_stdout(io.StringIO()) as report:
            gt_api = YTVIS(gts)
            dt_api = self._load_predictions(gt_api, preds)
            evaluator = YTVISEvalNumpy2(gt_api, dt_api, iouType='segm')
            evaluator.params.vidIds = gt_api.getVidIds()
            evaluator.params.useCats = int(use_cats)
            evaluator.evaluate()
            evaluator.accumulate()
            evaluator.summarize()
        if not use_cats:
            print_log('class-agnostic (categories ignored):', logger='current')
        print_log(report.getvalue(), logger='current')
        return {
            f'segm_{name}{item}':
            float(evaluator.stats[STAT_NAMES.index(item)])
            for item in self.metric_items
        }

    @staticmethod
    def _load_predictions(gt_api: YTVIS, preds: List[dict]) -> YTVIS:
        """``gt_api.loadRes(preds)``, also for an empty prediction list
        (mmdet's ``loadRes`` indexes ``preds[0]``)."""
        if preds:
            return gt_api.loadRes(preds)
        dt_api = YTVIS()
        dt_api.dataset = dict(
            videos=list(gt_api.dataset['videos']),
            categories=list(gt_api.dataset['categories']),
            annotations=[])
        dt_api.createIndex()
        return dt_api

    def evaluate(self, size: int = 1) -> dict:
        """mmdet's ``evaluate``, leaving the metric ready for the next round.

        mmdet's leaves ``_vis_meta_info`` a plain dict without ``images``,
        so a second validation round with the same metric fails.

        Args:
            size (int): number of videos in the dataset.

        Returns:
            dict: ``youtube_vis/segm_<item>`` to value.
        """
        try:
            return super().evaluate(size)
        finally:
            self._vis_meta_info = defaultdict(list)
