# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Save the random states in every checkpoint; put them back on resume."""
from typing import Dict, Optional

from mmengine.hooks import Hook

from mmsolotrack.registry import HOOKS
from mmsolotrack.utils.random_state import (get_random_states,
                                            set_random_states)

#: The checkpoint's top-level key for :func:`get_random_states`.
RANDOM_STATES_KEY = 'random_states'


class _RestoreAfterReplay:
    """Stands in for an ``IterBasedTrainLoop``'s data iterator while mmengine
    replays the ``replay`` batches already trained on; just before the first
    new batch it sets the saved random states and gives the loop its own
    iterator back."""

    def __init__(self, loop, states: Dict) -> None:
        self._loop = loop
        self._inner = loop.dataloader_iterator
        self._replay = loop.iter
        self._states = states

    def __iter__(self):
        return self

    def __next__(self):
        if self._replay > 0:
            self._replay -= 1
        else:
            set_random_states(self._states)
            self._loop.dataloader_iterator = self._inner
        return next(self._inner)


@HOOKS.register_module()
class RandomStateHook(Hook):
    """Make a resumed run end exactly as the uninterrupted run does.

    On ``resume`` mmengine 0.10.7 restores the weights, optimizer,
    schedulers, message hub and iteration, re-seeds only when the seed
    changed, and an ``IterBasedTrainLoop`` replays the data loader up to the
    saved iteration (so the sampler order and the random streams of
    DataLoader workers, seeded per worker, are where they were). It does not
    restore the generators of the training process itself, so afterwards the
    embedding head's ``torch.randperm`` sampling, the crop classifier's
    ``torch.rand``, ``RandomFlip`` with ``num_workers=0`` and the unseeded
    unlabelled-clip sampling draw other numbers than the uninterrupted run.

    This hook

    - writes :func:`~mmsolotrack.utils.random_state.get_random_states` into
      every checkpoint (key ``random_states``) as they are at the save; a
      checkpoint saved during validation (the best one) gets those of the
      start of the validation;
    - on resume sets them where the uninterrupted run had them: in an
      iteration-based loop just before the first new batch is fetched
      (mmengine's replay of the batches already trained on draws random
      numbers; these are overwritten), in an epoch-based loop at the start
      of the first epoch;
    - leaves the random states after validation as they were before it, so
      that training goes on alike whether a validation ran in between or not
      (the uninterrupted run validates after a save, the resumed one not).

    ``load_from`` without ``resume`` (a start, not a continuation) leaves
    the random states alone.

    Limits: an epoch-based run is exact from epoch-end checkpoints (mmengine
    restarts an interrupted epoch from its beginning); in distributed
    training the checkpoint holds rank 0's states and every rank resumes
    from those.
    """

    priority = 'VERY_HIGH'  # first in before_train_epoch: restore, then use

    def __init__(self) -> None:
        self._loaded: Optional[tuple] = None  # (iter, epoch, states or None)
        self._before_val: Optional[Dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint[RANDOM_STATES_KEY] = (self._before_val
                                         or get_random_states())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.get('meta') or {}
        self._loaded = (meta.get('iter'), meta.get('epoch'),
                        checkpoint.get(RANDOM_STATES_KEY))

    def before_train_epoch(self, runner) -> None:
        if self._loaded is None:
            return
        it, epoch, states = self._loaded
        self._loaded = None
        # resume() set the loop to the checkpoint's place; load_from did not
        if (runner.iter, runner.epoch) != (it, epoch) or not (it or epoch):
            return
        if states is None:
            runner.logger.warning(
                'the resumed checkpoint holds no random states (saved '
                'without RandomStateHook): from here on the run draws other '
                'random numbers than an uninterrupted one')
            return
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator'):  # IterBasedTrainLoop
            loop.dataloader_iterator = _RestoreAfterReplay(loop, states)
        else:
            set_random_states(states)

    def before_val(self, runner) -> None:
        self._before_val = get_random_states()

    def after_val(self, runner) -> None:
        if self._before_val is not None:
            set_random_states(self._before_val)
            self._before_val = None
