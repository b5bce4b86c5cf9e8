# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A progress bar over the val / test loop (one step per batch)."""
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from tqdm import tqdm

from mmsolotrack.registry import HOOKS


@HOOKS.register_module()
class EvalProgressHook(Hook):
    """Show a tqdm bar while the val or test loop runs.

    mmengine's ``LoggerHook`` logs the val/test loop every ``interval``
    batches, which for a video data set (one batch = one whole video) can
    mean nothing at all until the metrics appear. This hook draws a bar of
    batches (videos for VIS data) on stderr, on the main process only.

    Args:
        unit (str): What one step of the bar is called. Defaults to
            'batch' (one batch is one video in the VIS test loops).
        disable (bool): Turn the bar off (e.g. in log-only jobs).
            Defaults to False.
    """

    priority = 'VERY_LOW'

    def __init__(self, unit: str = 'batch', disable: bool = False) -> None:
        self.unit = unit
        self.disable = disable
        self._bar: Optional[tqdm] = None

    def _open(self, runner, mode: str) -> None:
        if self.disable or not is_main_process():
            return
        loader = getattr(runner, f'{mode}_dataloader')
        self._bar = tqdm(total=len(loader), desc=mode, unit=self.unit,
                         dynamic_ncols=True)

    def _step(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def before_val_epoch(self, runner) -> None:
        self._open(runner, 'val')

    def before_test_epoch(self, runner) -> None:
        self._open(runner, 'test')

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None) -> None:
        self._step()

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        self._step()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close()

    def after_test_epoch(self, runner, metrics=None) -> None:
        self._close()
