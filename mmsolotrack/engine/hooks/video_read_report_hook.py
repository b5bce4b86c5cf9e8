# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Report the unlabelled clips and labelled images skipped as unreadable."""
from collections import Counter
from typing import Callable, List, Optional

from mmengine.hooks import Hook

from mmsolotrack.datasets.skip_log import SkipLog
from mmsolotrack.datasets.unlabeled_video_dataset import UnlabeledVideoDataset
from mmsolotrack.registry import HOOKS


def _find(dataset, wanted: Callable) -> list:
    """Datasets inside a (wrapped) dataset for which ``wanted`` holds.

    Looks through ``ConcatDataset`` (``.datasets``) and ``RepeatDataset`` /
    ``ClassBalancedDataset`` (``.dataset``), recursively.
    """
    if wanted(dataset):
        return [dataset]
    found = []
    for child in getattr(dataset, 'datasets', []) or []:
        found += _find(child, wanted)
    inner = getattr(dataset, 'dataset', None)
    if inner is not None:
        found += _find(inner, wanted)
    return found


def find_unlabeled_video_datasets(dataset) -> List[UnlabeledVideoDataset]:
    """Every :class:`UnlabeledVideoDataset` inside a (wrapped) dataset."""
    return _find(dataset, lambda d: isinstance(d, UnlabeledVideoDataset))


def find_skip_logging_datasets(dataset) -> list:
    """Every dataset inside a (wrapped) dataset that counts its skipped
    reads in a ``skip_log`` (unlabelled videos, labelled images)."""
    return _find(dataset,
                 lambda d: isinstance(getattr(d, 'skip_log', None), SkipLog))


@HOOKS.register_module()
class VideoReadReportHook(Hook):
    """Log how many unlabelled clips and labelled images were skipped as
    unreadable, and which files (so that no skip goes unnoticed).

    The report comes at the end of every training epoch and, with
    ``interval > 0``, every ``interval`` training iterations (an
    ``IterBasedTrainLoop`` has a single epoch that ends with the run).
    It counts the skips of all DataLoader workers (see
    :class:`~mmsolotrack.datasets.UnlabeledVideoDataset` and
    :class:`~mmsolotrack.datasets.SkipUnreadableImagesMixin`). It is in
    ``_base_/default_runtime.py``.

    Args:
        interval (int): Also report every ``interval`` iterations; 0 (the
            default) reports at epoch ends only.
        max_files (int): At most this many files are named per report, the
            most frequently skipped first.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 0, max_files: int = 20) -> None:
        if interval < 0:
            raise ValueError(f'VideoReadReportHook: interval must be >= 0, '
                             f'got {interval}')
        self.interval = interval
        self.max_files = max_files
        self._reported = {}  # id(dataset) -> records already reported

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self.report(runner, f'iteration {runner.iter + 1}')

    def after_train_epoch(self, runner) -> None:
        self.report(runner, f'epoch {runner.epoch + 1}')

    def report(self, runner, when: str) -> None:
        """Log the skips since the previous report, and the total."""
        datasets = find_skip_logging_datasets(
            runner.train_dataloader.dataset)
        if not datasets:
            runner.logger.info('VideoReadReportHook: no training dataset '
                               'counts unreadable files')
            return
        for dataset in datasets:
            what = ('unlabelled clip(s)' if isinstance(
                dataset, UnlabeledVideoDataset) else 'image(s)')
            records = dataset.skip_log.records()
            start = self._reported.get(id(dataset), 0)
            new = records[start:]
            self._reported[id(dataset)] = len(records)
            source = dataset.ann_file or dataset.data_prefix.get('img_path')
            msg = (f'VideoReadReportHook ({when}): {len(new)} {what} '
                   f'skipped as unreadable since the last report, '
                   f'{len(records)} in total, from {source}')
            if new:
                files = Counter(file for file, _, _ in new)
                named = ', '.join(f'{f} ({n})'
                                  for f, n in files.most_common(
                                      self.max_files))
                more = len(files) - self.max_files
                msg += f'; files: {named}'
                if more > 0:
                    msg += f' and {more} more'
                runner.logger.warning(msg)
            else:
                runner.logger.info(msg)
