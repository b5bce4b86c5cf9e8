# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Stop training at the first non-finite loss or weight; never save one."""
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmsolotrack.registry import HOOKS
from mmsolotrack.utils.checkpoint_checks import non_finite_tensors

#: How many tensor names a message lists.
_SHOW = 5


class NonFiniteTrainingError(RuntimeError):
    """A loss term or a weight became NaN or infinite during training."""


def _shown(names) -> str:
    more = f' and {len(names) - _SHOW} more' if len(names) > _SHOW else ''
    return ', '.join(names[:_SHOW]) + more


@HOOKS.register_module()
class FiniteCheckHook(Hook):
    """Stop training at the first iteration whose loss or weights go NaN/inf.

    After every training iteration the loss terms (the log variables whose
    name contains ``loss``) and the model's weights (parameters and float
    buffers) are checked. A non-finite gradient shows up as non-finite
    weights right after the update (SGD and Adam turn an inf or NaN
    gradient into inf or NaN weights); checking weights, not gradients, also
    leaves AMP alone, whose loss scaler skips steps with inf gradients on
    purpose.

    The hook runs after ``LoggerHook`` (the bad iteration is still logged)
    and before ``CheckpointHook``, so no checkpoint of the bad iteration is
    written and the last good one stays; the error names the iteration
    (1-based, as in the log and in ``iter_N.pth``), the non-finite loss
    terms and weights and the last good checkpoint. As a backstop, any
    checkpoint the Runner is asked to save with non-finite weights is
    refused. (``CheckpointHook`` deletes its oldest kept checkpoint just
    before saving a new one; the per-iteration check is what keeps the last
    good one.)

    In distributed training the weights are the same on every rank after the
    all-reduced update, so every rank stops at the same iteration.
    """

    priority = 'LOW'  # LoggerHook is BELOW_NORMAL, CheckpointHook VERY_LOW

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        bad_losses = [
            f'{k}={float(v)}' for k, v in (outputs or {}).items()
            if 'loss' in k and not bool(torch.isfinite(torch.as_tensor(
                v)).all())
        ]
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        weights = dict(model.named_parameters())
        weights.update(model.named_buffers())
        bad_weights = non_finite_tensors(weights)
        if not bad_losses and not bad_weights:
            return
        what = []
        if bad_losses:
            what.append(f'non-finite loss terms: {", ".join(bad_losses)}')
        if bad_weights:
            what.append(f'{len(bad_weights)} weight tensors non-finite after '
                        f'the update (a non-finite gradient): '
                        f'{_shown(bad_weights)}')
        last = runner.message_hub.get_info('last_ckpt')
        if last and osp.isfile(last):
            kept = f'the last good checkpoint is {last} (kept)'
        else:
            kept = 'no checkpoint had been saved before it'
        raise NonFiniteTrainingError(
            f'training stopped at iteration {runner.iter + 1} (epoch '
            f'{runner.epoch + 1}): {"; ".join(what)}. No checkpoint of this '
            f'iteration was written; {kept}. Lower the learning rate, warm '
            'it up longer, or clip gradients (optim_wrapper.clip_grad='
            'dict(max_norm=...)).')

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('state_dict', 'ema_state_dict'):
            bad = non_finite_tensors(checkpoint.get(key) or {})
            if bad:
                raise NonFiniteTrainingError(
                    f'refused to save a checkpoint at iteration {runner.iter}'
                    f' (epoch {runner.epoch}): {len(bad)} tensors of its '
                    f'`{key}` are NaN or infinite: {_shown(bad)}')
