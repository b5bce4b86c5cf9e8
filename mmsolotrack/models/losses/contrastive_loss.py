# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Contrastive embedding losses on labelled still images (DESIGN.md s. 3).

Pure functions on tensors, and the registered modules that wrap them: each
module only adds a weight (as mmdet's ``focal_loss.py`` holds function and
module in one file).

Shape shorthand:
    N: number of sampled grid-cell embeddings z_i in the batch.
    D: embedding dimension.
    K: number of distinct identities (an identity is an (image, instance)
       pair; two images never share one).

All embeddings are expected to be L2-normalised already. With no or one
identity every loss here is exactly 0: a finite zero that keeps the autograd
graph, so ``backward()`` gives zero (never ``None`` or NaN) gradients.
"""
import math
from typing import Callable, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmsolotrack.registry import MODELS


def check_temperature(temperature: float, where: str) -> None:
    """Raise a ValueError unless ``temperature`` (tau) is a positive number.

    Args:
        temperature (float): The softmax temperature tau.
        where (str): Name of the caller, used in the error message.
    """
    if (isinstance(temperature, bool)
            or not isinstance(temperature, (int, float))
            or not math.isfinite(temperature) or temperature <= 0):
        raise ValueError(f'{where}: `temperature` must be a positive finite '
                         f'number, got {temperature!r}.')


def check_embeddings_and_identities(embeddings: Tensor, identities: Tensor,
                                    where: str) -> None:
    """Validate the (embeddings, identities) pair of a contrastive loss.

    Args:
        embeddings (Tensor): Shape (N, D), floating point.
        identities (Tensor): Shape (N,), integer identity of each row.
        where (str): Name of the caller, used in the error messages.
    """
    if not isinstance(embeddings, Tensor) or embeddings.dim() != 2:
        shape = tuple(embeddings.shape) if isinstance(
            embeddings, Tensor) else type(embeddings).__name__
        raise ValueError(f'{where}: `embeddings` must be a 2-D tensor of '
                         f'shape (N, D), got {shape}.')
    if not embeddings.is_floating_point():
        raise ValueError(f'{where}: `embeddings` must be floating point, got '
                         f'{embeddings.dtype}.')
    if not isinstance(identities, Tensor) or identities.dim() != 1:
        shape = tuple(identities.shape) if isinstance(
            identities, Tensor) else type(identities).__name__
        raise ValueError(f'{where}: `identities` must be a 1-D tensor of '
                         f'shape (N,), got {shape}.')
    if identities.is_floating_point() or identities.is_complex() \
            or identities.dtype == torch.bool:
        raise ValueError(f'{where}: `identities` must be an integer tensor, '
                         f'got {identities.dtype}.')
    if embeddings.shape[0] != identities.shape[0]:
        raise ValueError(f'{where}: `embeddings` has {embeddings.shape[0]} '
                         f'rows but `identities` has {identities.shape[0]} '
                         'entries; they must match (N).')


def zero_loss(*tensors: Tensor) -> Tensor:
    """A scalar 0 connected to the graph of ``tensors``.

    Args:
        *tensors (Tensor): Inputs of the loss, of any shape (may be empty).

    Returns:
        Tensor: Shape (), exactly 0; its gradient w.r.t. each input is 0.
    """
    return sum(t.sum() * 0 for t in tensors)


def identity_centers(embeddings: Tensor,
                     identities: Tensor) -> Tuple[Tensor, Tensor]:
    """L2-normalised mean embedding c_k of each identity.

    Args:
        embeddings (Tensor): Shape (N, D), the embeddings z_i.
        identities (Tensor): Shape (N,), integer identity y_i of each z_i.

    Returns:
        tuple[Tensor, Tensor]:
            - centers (Tensor): Shape (K, D), c_k = normalise(mean of the z_i
              with y_i = k), rows ordered by sorted identity value.
            - inverse (Tensor): Shape (N,), long; row of ``centers`` that
              holds the identity of each z_i.
    """
    check_embeddings_and_identities(embeddings, identities, 'identity_centers')
    uniq, inverse = torch.unique(identities, return_inverse=True)
    num_ids, dim = uniq.numel(), embeddings.shape[1]
    sums = embeddings.new_zeros(num_ids, dim).index_add(0, inverse, embeddings)
    counts = torch.bincount(inverse, minlength=num_ids).to(embeddings.dtype)
    # F.normalize clamps the norm, so a zero mean gives a zero row, not NaN.
    centers = F.normalize(sums / counts.clamp(min=1).unsqueeze(1), dim=1)
    return centers, inverse


def instance_contrastive_loss(embeddings: Tensor, identities: Tensor,
                              temperature: float) -> Tensor:
    """Instance contrastive loss L_ins (supervised-contrastive form).

    L_ins = mean_i [ -1/|Pos(i)| sum_{p in Pos(i)}
                     log( exp(z_i.z_p/tau) / sum_{a != i} exp(z_i.z_a/tau) ) ]

    with Pos(i) = {p != i : y_p = y_i}. The mean runs over anchors with a
    non-empty Pos(i); the other cells only serve as negatives in the
    denominators. Zero when K <= 1 or no anchor has a positive.

    Args:
        embeddings (Tensor): Shape (N, D), L2-normalised z_i.
        identities (Tensor): Shape (N,), integer identity y_i.
        temperature (float): tau.

    Returns:
        Tensor: Shape (), the loss.
    """
    where = 'instance_contrastive_loss'
    check_embeddings_and_identities(embeddings, identities, where)
    check_temperature(temperature, where)
    num = embeddings.shape[0]
    eye = torch.eye(num, dtype=torch.bool, device=embeddings.device)
    pos = (identities[:, None] == identities[None, :]) & ~eye  # (N, N)
    num_pos = pos.sum(dim=1)  # (N,)
    anchors = num_pos > 0
    if torch.unique(identities).numel() <= 1 or not bool(anchors.any()):
        return zero_loss(embeddings)

    sim = (embeddings @ embeddings.t() / temperature).masked_fill(
        eye, float('-inf'))  # (N, N), a != i
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    # masked_fill (not multiply): the -inf diagonal must not reach the sum.
    pos_log_prob = log_prob.masked_fill(~pos, 0).sum(dim=1)  # (N,)
    per_anchor = -pos_log_prob[anchors] / num_pos[anchors].to(sim.dtype)
    return per_anchor.mean()


def center_contrastive_loss(embeddings: Tensor, identities: Tensor,
                            temperature: float) -> Tensor:
    """Center contrastive loss L_cc.

    L_cc = mean_i [ -log( exp(z_i.c_{y_i}/tau) / sum_k exp(z_i.c_k/tau) ) ]

    with c_k from :func:`identity_centers`. Zero when K <= 1.

    Args:
        embeddings (Tensor): Shape (N, D), L2-normalised z_i.
        identities (Tensor): Shape (N,), integer identity y_i.
        temperature (float): tau.

    Returns:
        Tensor: Shape (), the loss.
    """
    where = 'center_contrastive_loss'
    check_embeddings_and_identities(embeddings, identities, where)
    check_temperature(temperature, where)
    if torch.unique(identities).numel() <= 1:
        return zero_loss(embeddings)
    centers, inverse = identity_centers(embeddings, identities)
    logits = embeddings @ centers.t() / temperature  # (N, K)
    return F.cross_entropy(logits, inverse)


def max_entropy_loss(embeddings: Tensor, identities: Tensor,
                     temperature: float) -> Tensor:
    """Maximum-entropy regulariser L_ent that spreads the identity centers.

    p_kj = softmax_{j != k}(c_k.c_j / tau), H_k = -sum_{j != k} p_kj log p_kj,
    L_ent = -mean_k H_k / log(K - 1), in [-1, 0]. Zero when K < 3 (with
    K = 2 the distribution over j != k has a single outcome).

    Args:
        embeddings (Tensor): Shape (N, D), L2-normalised z_i.
        identities (Tensor): Shape (N,), integer identity y_i.
        temperature (float): tau.

    Returns:
        Tensor: Shape (), the loss.
    """
    where = 'max_entropy_loss'
    check_embeddings_and_identities(embeddings, identities, where)
    check_temperature(temperature, where)
    num_ids = int(torch.unique(identities).numel())
    if num_ids < 3:
        return zero_loss(embeddings)
    centers, _ = identity_centers(embeddings, identities)  # (K, D)
    sim = centers @ centers.t() / temperature  # (K, K)
    off_diag = ~torch.eye(num_ids, dtype=torch.bool, device=sim.device)
    logits = sim[off_diag].view(num_ids, num_ids - 1)  # (K, K-1), j != k
    log_p = F.log_softmax(logits, dim=1)
    entropy = -(log_p.exp() * log_p).sum(dim=1)  # (K,) H_k
    return -entropy.mean() / math.log(num_ids - 1)


class IdentityLoss(nn.Module):
    """Base of the image-level embedding losses: a weighted pure function.

    Subclasses set ``loss_fn``, a function
    ``(embeddings (N, D), identities (N,), temperature) -> Tensor ()``.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss in the image loss.
            Defaults to 1.0.
    """

    loss_fn: Callable[[Tensor, Tensor, float], Tensor]

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_temperature(temperature, type(self).__name__)
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, embeddings: Tensor, identities: Tensor) -> Tensor:
        """Compute the weighted loss.

        Args:
            embeddings (Tensor): Shape (N, D), L2-normalised cell embeddings.
            identities (Tensor): Shape (N,), integer identity of each row.

        Returns:
            Tensor: Shape (), ``loss_weight`` times the loss.
        """
        loss = type(self).loss_fn(embeddings, identities, self.temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')


@MODELS.register_module()
class InstanceContrastiveLoss(IdentityLoss):
    """Instance contrastive loss L_ins: cells of one instance attract.

    A thin weighted wrapper around :func:`instance_contrastive_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_ins in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(instance_contrastive_loss)


@MODELS.register_module()
class CenterContrastiveLoss(IdentityLoss):
    """Center contrastive loss L_cc: cells attract their identity center.

    A thin weighted wrapper around :func:`center_contrastive_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_cc in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(center_contrastive_loss)


@MODELS.register_module()
class MaxEntropyLoss(IdentityLoss):
    """Maximum-entropy regulariser L_ent: spreads the identity centers.

    A thin weighted wrapper around :func:`max_entropy_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_ent in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(max_entropy_loss)
