# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Report the unlabelled-video clips that were skipped as unreadable."""
from collections import Counter
from typing import List, Optional

from mmengine.hooks import Hook

from mmsolotrack.datasets.unlabeled_video_dataset import UnlabeledVideoDataset
from mmsolotrack.registry import HOOKS


def find_unlabeled_video_datasets(dataset) -> List[UnlabeledVideoDataset]:
    """Every :class:`UnlabeledVideoDataset` inside a (wrapped) dataset.

    Looks through ``ConcatDataset`` (``.datasets``) and ``RepeatDataset`` /
    ``ClassBalancedDataset`` (``.dataset``), recursively.
    """
    if isinstance(dataset, UnlabeledVideoDataset):
        return [dataset]
    found = []
    for child in getattr(dataset, 'datasets', []) or []:
        found += find_unlabeled_video_datasets(child)
    inner = getattr(dataset, 'dataset', None)
    if inner is not None:
        found += find_unlabeled_video_datasets(inner)
    return found


@HOOKS.register_module()
class VideoReadReportHook(Hook):
    """Log how many unlabelled clips were skipped, and which files.

    The report comes at the end of every training epoch and, with
    ``interval > 0``, every ``interval`` training iterations (an
    ``IterBasedTrainLoop`` has a single epoch that ends with the run).
    It counts the skips of all DataLoader workers (see
    :class:`~mmsolotrack.datasets.UnlabeledVideoDataset`).

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
        datasets = find_unlabeled_video_datasets(
            runner.train_dataloader.dataset)
        if not datasets:
            runner.logger.warning('VideoReadReportHook: no '
                                  'UnlabeledVideoDataset in the training data')
            return
        for dataset in datasets:
            records = dataset.skip_log.records()
            start = self._reported.get(id(dataset), 0)
            new = records[start:]
            self._reported[id(dataset)] = len(records)
            source = dataset.ann_file or dataset.data_prefix['img_path']
            msg = (f'VideoReadReportHook ({when}): {len(new)} unlabelled '
                   f'clip(s) skipped as unreadable since the last report, '
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
