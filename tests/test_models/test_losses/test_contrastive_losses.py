# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Instance / center contrastive losses and the max-entropy regulariser.

The references below are written independently of the package, with plain
Python loops over floats, straight from the formulas of DESIGN.md s. 3.
"""
import math
import random

import pytest
import torch
import torch.nn.functional as F

from mmsolotrack.models.losses import (CenterContrastiveLoss,
                                       InstanceContrastiveLoss, MaxEntropyLoss,
                                       center_contrastive_loss,
                                       identity_centers,
                                       instance_contrastive_loss,
                                       max_entropy_loss)
from mmsolotrack.registry import MODELS

LOSS_FUNCS = [
    instance_contrastive_loss, center_contrastive_loss, max_entropy_loss
]


# ----------------------------------------------------------------------------
# Brute-force references (floats, loops)
# ----------------------------------------------------------------------------
def _dot(u, v):
    return sum(a * b for a, b in zip(u, v))


def _ref_instance(z, y, tau):
    n = len(z)
    if len(set(y)) <= 1:
        return 0.0
    total, anchors = 0.0, 0
    for i in range(n):
        pos = [p for p in range(n) if p != i and y[p] == y[i]]
        if not pos:
            continue
        denom = 0.0
        for a in range(n):
            if a != i:
                denom += math.exp(_dot(z[i], z[a]) / tau)
        acc = 0.0
        for p in pos:
            acc += math.log(math.exp(_dot(z[i], z[p]) / tau) / denom)
        total += -acc / len(pos)
        anchors += 1
    return total / anchors if anchors else 0.0


def _ref_centers(z, y):
    """dict identity -> normalised mean embedding."""
    centers = {}
    for k in sorted(set(y)):
        members = [z[i] for i in range(len(z)) if y[i] == k]
        mean = [sum(col) / len(members) for col in zip(*members)]
        norm = math.sqrt(sum(v * v for v in mean))
        centers[k] = [v / norm for v in mean]
    return centers


def _ref_center(z, y, tau):
    if len(set(y)) <= 1:
        return 0.0
    centers = _ref_centers(z, y)
    total = 0.0
    for i in range(len(z)):
        denom = 0.0
        for k in centers:
            denom += math.exp(_dot(z[i], centers[k]) / tau)
        total += -math.log(math.exp(_dot(z[i], centers[y[i]]) / tau) / denom)
    return total / len(z)


def _ref_entropy(z, y, tau):
    num_ids = len(set(y))
    if num_ids < 3:
        return 0.0
    centers = list(_ref_centers(z, y).values())
    total = 0.0
    for k in range(num_ids):
        others = [j for j in range(num_ids) if j != k]
        expo = [math.exp(_dot(centers[k], centers[j]) / tau) for j in others]
        denom = sum(expo)
        h_k = 0.0
        for e in expo:
            p = e / denom
            h_k -= p * math.log(p)
        total += h_k
    return -(total / num_ids) / math.log(num_ids - 1)


REFERENCES = {
    instance_contrastive_loss: _ref_instance,
    center_contrastive_loss: _ref_center,
    max_entropy_loss: _ref_entropy,
}


def _random_problem(seed, num_ids=None):
    """Random normalised embeddings with shuffled, non-contiguous ids.

    Always contains at least one singleton identity.
    """
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    num_ids = num_ids or rng.randint(2, 6)
    sizes = [1] + [rng.randint(1, 10) for _ in range(num_ids - 1)]
    labels = rng.sample(range(100), num_ids)  # e.g. 57, 3, 91 ...
    ids = [lab for lab, s in zip(labels, sizes) for _ in range(s)]
    rng.shuffle(ids)
    dim = 8
    protos = torch.randn(100, dim, generator=gen)
    z = protos[ids] + 0.8 * torch.randn(len(ids), dim, generator=gen)
    z = F.normalize(z, dim=1)
    return z, torch.tensor(ids, dtype=torch.long)


# ----------------------------------------------------------------------------
# Against the brute-force references
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize('tau', [0.1, 0.5])
def test_matches_brute_force(func, seed, tau):
    z, y = _random_problem(seed)
    got = func(z.double(), y, tau)
    want = REFERENCES[func](z.double().tolist(), y.tolist(), tau)
    assert got.shape == ()
    assert got.item() == pytest.approx(want, abs=1e-5, rel=1e-6)
    # float32 agrees as well
    assert func(z, y, tau).item() == pytest.approx(want, abs=1e-4, rel=1e-5)


@pytest.mark.parametrize('num_ids', [2, 3, 6])
def test_matches_brute_force_fixed_k(num_ids):
    z, y = _random_problem(100 + num_ids, num_ids=num_ids)
    assert len(set(y.tolist())) == num_ids
    for func in LOSS_FUNCS:
        want = REFERENCES[func](z.double().tolist(), y.tolist(), 0.2)
        got = func(z.double(), y, 0.2).item()
        assert got == pytest.approx(want, abs=1e-5, rel=1e-6)


def test_identity_centers_against_loop():
    z, y = _random_problem(7, num_ids=5)
    centers, inverse = identity_centers(z.double(), y)
    ref = _ref_centers(z.double().tolist(), y.tolist())
    assert centers.shape == (5, 8)
    assert inverse.dtype == torch.long and inverse.shape == y.shape
    for i, k in enumerate(y.tolist()):
        assert centers[inverse[i]].tolist() == pytest.approx(ref[k], abs=1e-9)
    assert torch.allclose(centers.norm(dim=1), torch.ones(5).double())


def test_max_entropy_bounds():
    for seed in range(4):
        z, y = _random_problem(seed, num_ids=5)
        value = max_entropy_loss(z, y, 0.1).item()
        assert -1.0 - 1e-6 <= value <= 0.0


# ----------------------------------------------------------------------------
# Edge cases: exactly zero, finite, backward gives zero (not None) grads
# ----------------------------------------------------------------------------
def _assert_graph_zero(func, z, y):
    z = z.clone().requires_grad_(True)
    loss = func(z, y, 0.1)
    assert loss.shape == ()
    assert loss.item() == 0.0
    assert torch.isfinite(loss)
    loss.backward()
    assert z.grad is not None
    assert z.grad.shape == z.shape
    assert torch.all(z.grad == 0)


@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
def test_empty_input_is_zero(func):
    _assert_graph_zero(func, torch.zeros(0, 8), torch.zeros(0,
                                                            dtype=torch.long))


@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize('num', [1, 2, 7])
def test_one_identity_is_zero(func, num):
    z = F.normalize(torch.randn(num,
                                8,
                                generator=torch.Generator().manual_seed(num)),
                    dim=1)
    _assert_graph_zero(func, z, torch.full((num, ), 4, dtype=torch.long))


def test_all_singletons():
    z = F.normalize(torch.randn(9,
                                8,
                                generator=torch.Generator().manual_seed(3)),
                    dim=1)
    y = torch.arange(9) * 3
    # No anchor has a positive: the instance loss is exactly zero.
    _assert_graph_zero(instance_contrastive_loss, z, y)
    # The center losses are defined (c_k = z_k) and match the references.
    for func in (center_contrastive_loss, max_entropy_loss):
        want = REFERENCES[func](z.double().tolist(), y.tolist(), 0.1)
        assert func(z.double(), y, 0.1).item() == pytest.approx(want, abs=1e-5)


@pytest.mark.parametrize('num_ids', [1, 2])
def test_max_entropy_needs_three_identities(num_ids):
    z, y = _random_problem(11, num_ids=num_ids)
    _assert_graph_zero(max_entropy_loss, z, y)


@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
def test_no_nan_with_duplicates_and_cancelling_cells(func):
    # identical embeddings across identities
    z = F.normalize(torch.ones(6, 8), dim=1).requires_grad_(True)
    y = torch.tensor([0, 0, 1, 1, 2, 3])
    loss = func(z, y, 0.05)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()
    # an identity whose cells cancel: its mean (center) is the zero vector
    e = torch.eye(8)
    z = torch.stack([e[0], -e[0], e[1], e[2], e[2], e[3]]).requires_grad_()
    y = torch.tensor([5, 5, 6, 7, 7, 8])
    loss = func(z, y, 0.05)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()


def test_low_temperature_is_finite():
    z, y = _random_problem(2, num_ids=4)
    for func in LOSS_FUNCS:
        zz = z.clone().requires_grad_(True)
        loss = func(zz, y, 0.002)  # exp(1/tau) overflows float32
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(zz.grad).all()


# ----------------------------------------------------------------------------
# Gradients
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
def test_gradcheck(func):
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(7, 4, generator=gen, dtype=torch.float64)
    z = F.normalize(z, dim=1).requires_grad_(True)
    y = torch.tensor([0, 0, 0, 1, 1, 2, 3])
    assert torch.autograd.gradcheck(lambda x: func(x, y, 0.5), (z, ))


# ----------------------------------------------------------------------------
# Behaviour
# ----------------------------------------------------------------------------
def _clusters(seed, num_ids=4, per_id=6, noise=0.05):
    gen = torch.Generator().manual_seed(seed)
    dirs = torch.linalg.qr(
        torch.randn(8, 8, generator=gen, dtype=torch.float64))[0][:num_ids]
    y = torch.arange(num_ids).repeat_interleave(per_id)
    z = dirs[y].float() + noise * torch.randn(len(y), 8, generator=gen)
    return F.normalize(z, dim=1), y


@pytest.mark.parametrize('func',
                         [instance_contrastive_loss, center_contrastive_loss],
                         ids=lambda f: f.__name__)
def test_separated_clusters_beat_shuffled_identities(func):
    for seed in range(3):
        z, y = _clusters(seed)
        shuffled = y[torch.randperm(
            len(y), generator=torch.Generator().manual_seed(seed))]
        good = func(z, y, 0.1).item()
        bad = func(z, shuffled, 0.1).item()
        assert good < 0.5 * bad


def test_max_entropy_prefers_spread_centers():
    e = torch.eye(8)
    y = torch.arange(4).repeat_interleave(2)
    # spread: 4 orthogonal centers -> uniform p_kj -> exactly -1
    spread = e[:4][y]
    # collapsed: two tight pairs, each center's softmax goes to its twin
    collapsed = F.normalize(torch.stack(
        [e[0], e[0] + 0.05 * e[1], e[2], e[2] + 0.05 * e[3]]),
                            dim=1)[y]
    low = max_entropy_loss(spread, y, 0.1).item()
    high = max_entropy_loss(collapsed, y, 0.1).item()
    assert low == pytest.approx(-1.0, abs=1e-6)
    assert high > -0.2
    assert low < high


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('func', LOSS_FUNCS, ids=lambda f: f.__name__)
def test_bad_input_raises(func):
    z = torch.randn(5, 8)
    y = torch.arange(5)
    with pytest.raises(ValueError, match=r'5 rows.*4 entries'):
        func(z, y[:4], 0.1)
    with pytest.raises(ValueError, match='`embeddings` must be a 2-D'):
        func(z[0], y, 0.1)
    with pytest.raises(ValueError, match='`identities` must be a 1-D'):
        func(z, y[:, None], 0.1)
    with pytest.raises(ValueError, match='integer'):
        func(z, y.float(), 0.1)
    with pytest.raises(ValueError, match='floating point'):
        func(z.long(), y, 0.1)
    for tau in (0.0, -1.0, float('nan')):
        with pytest.raises(ValueError, match='temperature'):
            func(z, y, tau)
    with pytest.raises(ValueError, match=func.__name__):
        func(z, y[:4], 0.1)


# ----------------------------------------------------------------------------
# Registered modules
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('name,func', [
    ('InstanceContrastiveLoss', instance_contrastive_loss),
    ('CenterContrastiveLoss', center_contrastive_loss),
    ('MaxEntropyLoss', max_entropy_loss),
])
def test_registry_build_and_weight(name, func):
    z, y = _random_problem(9, num_ids=5)
    loss = MODELS.build(dict(type=name, temperature=0.2, loss_weight=0.5))
    assert loss.temperature == 0.2 and loss.loss_weight == 0.5
    value = loss(z, y)
    assert value.item() == pytest.approx(0.5 * func(z, y, 0.2).item(),
                                         rel=1e-6)
    assert value.item() != pytest.approx(func(z, y, 0.2).item())
    default = MODELS.build(dict(type=name))
    assert default.temperature == 0.1 and default.loss_weight == 1.0
    with pytest.raises(ValueError, match=name):
        MODELS.build(dict(type=name, temperature=0))


def test_modules_are_the_same_classes():
    assert isinstance(MODELS.build(dict(type='InstanceContrastiveLoss')),
                      InstanceContrastiveLoss)
    assert isinstance(MODELS.build(dict(type='CenterContrastiveLoss')),
                      CenterContrastiveLoss)
    assert isinstance(MODELS.build(dict(type='MaxEntropyLoss')),
                      MaxEntropyLoss)


# ----------------------------------------------------------------------------
# Seeded regression (values computed once with this implementation)
# ----------------------------------------------------------------------------
def test_seeded_regression():
    z, y = _random_problem(2024, num_ids=5)
    z = z.double()
    assert instance_contrastive_loss(z, y,
                                     0.1).item() == pytest.approx(INSTANCE_REF,
                                                                  abs=1e-5)
    assert center_contrastive_loss(z, y,
                                   0.1).item() == pytest.approx(CENTER_REF,
                                                                abs=1e-5)
    assert max_entropy_loss(z, y, 0.1).item() == pytest.approx(ENTROPY_REF,
                                                               abs=1e-5)


INSTANCE_REF = 3.023124439257313
CENTER_REF = 0.10019683661787322
ENTROPY_REF = -0.3732466922206943
