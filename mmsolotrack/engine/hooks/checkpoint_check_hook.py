# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Refuse another model's checkpoint; say when a resumed run is finished."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, find_latest_checkpoint

from mmsolotrack.registry import HOOKS
from mmsolotrack.utils.checkpoint_checks import (DEFAULT_MAX_MISMATCH,
                                                 check_checkpoint_keys)


def _resumes(runner) -> bool:
    # the Runner's own setting (also when built without a config)
    return bool(getattr(runner, '_resume', runner.cfg.get('resume')))


def _loaded_file(runner):
    """The checkpoint the Runner loads: ``load_from``, else (auto resume) the
    latest one of the work dir."""
    load_from = getattr(runner, '_load_from', runner.cfg.get('load_from'))
    return load_from or (find_latest_checkpoint(runner.work_dir)
                         if _resumes(runner) else None)


@HOOKS.register_module()
class CheckpointCheckHook(Hook):
    """Check what the Runner loads (``load_from``, ``resume``, ``mim test``).

    - A checkpoint that leaves more than ``max_mismatch`` of the model's keys
      missing or unexpected is refused with
      :class:`~mmsolotrack.utils.checkpoint_checks.CheckpointMismatchError`
      (mmengine alone only logs the keys and goes on with random weights).
    - Resuming a run that already reached ``max_iters`` / ``max_epochs``
      logs a warning: there is nothing left to train.

    Args:
        max_mismatch (float): Largest fraction of the model's keys that may
            be missing or unexpected. Defaults to 0.1.
        allow_partial (bool): Accept any partial load (e.g. fine-tuning from
            a checkpoint of another model on purpose). Defaults to False.
    """

    priority = 'VERY_HIGH'

    def __init__(self,
                 max_mismatch: float = DEFAULT_MAX_MISMATCH,
                 allow_partial: bool = False) -> None:
        if not 0.0 <= max_mismatch <= 1.0:
            raise ValueError(f'{type(self).__name__}: max_mismatch must be in '
                             f'[0, 1], got {max_mismatch!r}')
        self.max_mismatch = max_mismatch
        self.allow_partial = allow_partial

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.allow_partial:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        check_checkpoint_keys(model, checkpoint, _loaded_file(runner),
                              self.max_mismatch)

    def before_train(self, runner) -> None:
        if not _resumes(runner):
            return
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            done, what = runner.epoch >= runner.max_epochs, 'max_epochs'
            limit = runner.max_epochs
        else:
            done, what = runner.iter >= runner.max_iters, 'max_iters'
            limit = runner.max_iters
        if done:
            runner.logger.warning(
                f'resumed from {_loaded_file(runner)}, which already reached '
                f'{what}={limit}: there is nothing left to train. Raise '
                f'train_cfg.{what} to train longer, or use another work_dir '
                'for a new run.')
