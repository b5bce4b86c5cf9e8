# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Cycle-consistency loss on unlabelled video (DESIGN.md s. 3).

Shape shorthand:
    P, Q: number of predicted instances in frame t and frame t'.
    P_i: number of predicted instances in frame i of a palindrome clip.
    D: embedding dimension.

The instance embeddings X are L2-normalised. Affinities are softmaxed row
by row, A = softmax_rows(X_t X_t'^T / tau) (P x Q) and
B = softmax_rows(X_t' X_t^T / tau) (Q x P), and the walk t -> t' -> t must
come back where it started: L_cyc = -mean_p log (A B)_pp. Everything is
computed in log space (logsumexp) so that low temperatures stay finite.

Pure functions on tensors, and the registered module that wraps them with a
weight.
"""
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmsolotrack.registry import MODELS

from .contrastive_loss import check_temperature, zero_loss


def _check_frame(x: Tensor, name: str, where: str) -> None:
    """Raise a ValueError unless ``x`` is a floating (P, D) tensor."""
    if not isinstance(x, Tensor) or x.dim() != 2:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f'{where}: `{name}` must be a 2-D tensor of shape '
                         f'(P, D), got {shape}.')
    if not x.is_floating_point():
        raise ValueError(f'{where}: `{name}` must be floating point, got '
                         f'{x.dtype}.')


def _log_transition(x_from: Tensor, x_to: Tensor,
                    temperature: float) -> Tensor:
    """Log of the row-softmaxed affinity from one frame to the next.

    Args:
        x_from (Tensor): Shape (P, D).
        x_to (Tensor): Shape (Q, D).
        temperature (float): tau.

    Returns:
        Tensor: Shape (P, Q), log softmax_rows(x_from x_to^T / tau).
    """
    return F.log_softmax(x_from @ x_to.t() / temperature, dim=1)


def _log_matmul(log_a: Tensor, log_b: Tensor) -> Tensor:
    """log(exp(log_a) @ exp(log_b)) computed stably.

    Args:
        log_a (Tensor): Shape (P, Q).
        log_b (Tensor): Shape (Q, R).

    Returns:
        Tensor: Shape (P, R).
    """
    return torch.logsumexp(log_a[:, :, None] + log_b[None, :, :], dim=1)


def palindrome_cycle_loss(xs: Sequence[Tensor], temperature: float) -> Tensor:
    """Cycle-consistency loss along a palindrome clip t_0 .. t_{T-1} .. t_0.

    The walk multiplies the row-softmaxed affinities
    t_0 -> t_1 -> ... -> t_{T-1} -> t_{T-2} -> ... -> t_0 and the loss is
    -mean_p log M_pp of the resulting (P_0 x P_0) matrix M. For T = 2 this is
    :func:`cycle_consistency_loss`. Zero when any frame has no instance.

    Args:
        xs (Sequence[Tensor]): T >= 2 tensors, frame i of shape (P_i, D).
        temperature (float): tau.

    Returns:
        Tensor: Shape (), the loss.
    """
    where = 'palindrome_cycle_loss'
    is_seq = isinstance(xs, (list, tuple))
    if not is_seq or len(xs) < 2:
        got = f'{len(xs)} frames' if is_seq else type(xs).__name__
        raise ValueError(f'{where}: `xs` must be a list of at least 2 '
                         f'per-frame (P_i, D) tensors, got {got}.')
    for i, x in enumerate(xs):
        _check_frame(x, f'xs[{i}]', where)
    dims = {int(x.shape[1]) for x in xs}
    if len(dims) != 1:
        raise ValueError(f'{where}: all frames must share the embedding '
                         f'dimension D, got {sorted(dims)}.')
    check_temperature(temperature, where)
    if any(x.shape[0] == 0 for x in xs):
        return zero_loss(*xs)

    path = list(range(len(xs))) + list(range(len(xs) - 2, -1, -1))
    log_walk = _log_transition(xs[path[0]], xs[path[1]], temperature)
    for src, dst in zip(path[1:-1], path[2:]):
        log_walk = _log_matmul(log_walk,
                               _log_transition(xs[src], xs[dst], temperature))
    return -torch.diagonal(log_walk).mean()  # (P_0, P_0) -> ()


def cycle_consistency_loss(x_t: Tensor, x_t2: Tensor,
                           temperature: float) -> Tensor:
    """Cycle-consistency loss L_cyc between two frames t and t'.

    L_cyc = -mean_p log (A B)_pp with A = softmax_rows(X_t X_t'^T / tau) and
    B = softmax_rows(X_t' X_t^T / tau). Zero when P = 0 or Q = 0.

    Args:
        x_t (Tensor): Shape (P, D), L2-normalised instance embeddings X_t.
        x_t2 (Tensor): Shape (Q, D), L2-normalised instance embeddings X_t'.
        temperature (float): tau (tau_v in the paper's notation).

    Returns:
        Tensor: Shape (), the loss.
    """
    where = 'cycle_consistency_loss'
    _check_frame(x_t, 'x_t', where)
    _check_frame(x_t2, 'x_t2', where)
    if x_t.shape[1] != x_t2.shape[1]:
        raise ValueError(f'{where}: `x_t` has D={x_t.shape[1]} but `x_t2` '
                         f'has D={x_t2.shape[1]}; they must match.')
    check_temperature(temperature, where)
    if x_t.shape[0] == 0 or x_t2.shape[0] == 0:
        return zero_loss(x_t, x_t2)
    log_a = _log_transition(x_t, x_t2, temperature)  # (P, Q)
    log_b = _log_transition(x_t2, x_t, temperature)  # (Q, P)
    # log (A B)_pp = logsumexp_q (log A_pq + log B_qp)
    return -torch.logsumexp(log_a + log_b.t(), dim=1).mean()


@MODELS.register_module()
class CycleConsistencyLoss(nn.Module):
    """Cycle-consistency loss L_cyc on unlabelled video.

    A thin weighted wrapper around :func:`cycle_consistency_loss` (a frame
    pair) and :func:`palindrome_cycle_loss` (a clip of T frames).

    Args:
        temperature (float): The affinity temperature tau_v. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_cyc in the paper's total
            loss). Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_temperature(temperature, 'CycleConsistencyLoss')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self,
                x_t: Union[Tensor, Sequence[Tensor]],
                x_t2: Optional[Tensor] = None) -> Tensor:
        """Compute the weighted loss.

        Args:
            x_t (Tensor | Sequence[Tensor]): Shape (P, D), L2-normalised
                instance embeddings of frame t; or a list of T >= 2 such
                tensors, frame i of shape (P_i, D), for a palindrome clip
                (then ``x_t2`` must be None).
            x_t2 (Tensor, optional): Shape (Q, D), instance embeddings of
                frame t'. Required when ``x_t`` is a tensor.

        Returns:
            Tensor: Shape (), ``loss_weight`` times L_cyc.
        """
        if isinstance(x_t, (list, tuple)):
            if x_t2 is not None:
                raise ValueError(
                    'CycleConsistencyLoss: pass either a list of per-frame '
                    'tensors as `x_t` (palindrome clip) or two tensors '
                    '`x_t`, `x_t2`, not a list and `x_t2`.')
            loss = palindrome_cycle_loss(x_t, self.temperature)
        else:
            if x_t2 is None:
                raise ValueError('CycleConsistencyLoss: `x_t2` (Q, D) is '
                                 'required when `x_t` is a tensor.')
            loss = cycle_consistency_loss(x_t, x_t2, self.temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')
