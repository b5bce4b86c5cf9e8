# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Cycle-consistency loss on frame pairs and palindrome clips.

The references below are written independently of the package, with plain
Python loops over floats, straight from DESIGN.md s. 3:
A = softmax_rows(X_t X_t'^T / tau), B = softmax_rows(X_t' X_t^T / tau),
L_cyc = -mean_p log (A B)_pp.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from mmsolotrack.models.losses import (CycleConsistencyLoss,
                                       cycle_consistency_loss,
                                       palindrome_cycle_loss)
from mmsolotrack.registry import MODELS


# ----------------------------------------------------------------------------
# Brute-force references (floats, loops)
# ----------------------------------------------------------------------------
def _softmax_rows(x_from, x_to, tau):
    rows = []
    for u in x_from:
        logits = [sum(a * b for a, b in zip(u, v)) / tau for v in x_to]
        top = max(logits)  # keeps exp() in range at very low tau
        expo = [math.exp(v - top) for v in logits]
        denom = sum(expo)
        rows.append([e / denom for e in expo])
    return rows


def _matmul(a, b):
    out = []
    for i in range(len(a)):
        row = []
        for j in range(len(b[0])):
            acc = 0.0
            for k in range(len(b)):
                acc += a[i][k] * b[k][j]
            row.append(acc)
        out.append(row)
    return out


def _ref_pair(x_t, x_t2, tau):
    if not x_t or not x_t2:
        return 0.0
    walk = _matmul(_softmax_rows(x_t, x_t2, tau),
                   _softmax_rows(x_t2, x_t, tau))
    return -sum(math.log(walk[p][p]) for p in range(len(x_t))) / len(x_t)


def _ref_palindrome(xs, tau):
    if any(not x for x in xs):
        return 0.0
    order = list(range(len(xs))) + list(range(len(xs) - 2, -1, -1))
    walk = None
    for src, dst in zip(order[:-1], order[1:]):
        step = _softmax_rows(xs[src], xs[dst], tau)
        walk = step if walk is None else _matmul(walk, step)
    return -sum(math.log(walk[p][p]) for p in range(len(xs[0]))) / len(xs[0])


def _frame(num, seed, dim=8):
    gen = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(num, dim, generator=gen), dim=1)


# ----------------------------------------------------------------------------
# Against the brute-force references
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('seed', [0, 1, 2, 3, 4])
@pytest.mark.parametrize('tau', [0.05, 0.1, 0.5])
def test_pair_matches_brute_force(seed, tau):
    num_p, num_q = 3 + seed, 7 - seed  # P != Q for most seeds
    x_t = _frame(num_p, seed).double()
    x_t2 = _frame(num_q, 100 + seed).double()
    got = cycle_consistency_loss(x_t, x_t2, tau)
    want = _ref_pair(x_t.tolist(), x_t2.tolist(), tau)
    assert got.shape == ()
    assert got.item() == pytest.approx(want, abs=1e-5, rel=1e-6)


def test_pair_low_temperature_float32_is_stable():
    # 1 / tau = 200: exp() of the raw logits overflows float32
    x_t, x_t2 = _frame(6, 1).requires_grad_(True), _frame(5, 2)
    loss = cycle_consistency_loss(x_t, x_t2, 0.005)
    want = _ref_pair(x_t.double().tolist(), x_t2.double().tolist(), 0.005)
    assert torch.isfinite(loss)
    assert loss.item() == pytest.approx(want, rel=1e-4, abs=1e-4)
    loss.backward()
    assert torch.isfinite(x_t.grad).all()


@pytest.mark.parametrize('sizes', [(3, 5, 4), (4, 2, 6, 3), (1, 3)])
def test_palindrome_matches_brute_force(sizes):
    xs = [_frame(n, 10 + i).double() for i, n in enumerate(sizes)]
    got = palindrome_cycle_loss(xs, 0.1)
    want = _ref_palindrome([x.tolist() for x in xs], 0.1)
    assert got.item() == pytest.approx(want, abs=1e-5, rel=1e-6)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_palindrome_of_two_frames_is_the_pair_loss(seed):
    x_t, x_t2 = _frame(4, seed), _frame(6, 50 + seed)
    pair = cycle_consistency_loss(x_t, x_t2, 0.1)
    assert palindrome_cycle_loss([x_t, x_t2],
                                 0.1).item() == pytest.approx(pair.item(),
                                                              abs=1e-6)
    assert palindrome_cycle_loss((x_t, x_t2),
                                 0.1).item() == pytest.approx(pair.item(),
                                                              abs=1e-6)


# ----------------------------------------------------------------------------
# Edge cases
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('num_p,num_q', [(0, 4), (4, 0), (0, 0)])
def test_empty_frame_is_zero_with_graph(num_p, num_q):
    x_t = _frame(num_p, 0).requires_grad_(True)
    x_t2 = _frame(num_q, 1).requires_grad_(True)
    loss = cycle_consistency_loss(x_t, x_t2, 0.1)
    assert loss.shape == () and loss.item() == 0.0
    loss.backward()
    for x in (x_t, x_t2):
        assert x.grad is not None and x.grad.shape == x.shape
        assert torch.all(x.grad == 0)


def test_palindrome_with_an_empty_frame_is_zero():
    xs = [_frame(3, 0), _frame(0, 1), _frame(2, 2)]
    xs = [x.requires_grad_(True) for x in xs]
    loss = palindrome_cycle_loss(xs, 0.1)
    assert loss.item() == 0.0
    loss.backward()
    assert all(x.grad is not None and torch.all(x.grad == 0) for x in xs)


def test_single_instance_each_side_is_zero():
    # P = Q = 1: the walk has nowhere else to go, log 1 = 0
    loss = cycle_consistency_loss(_frame(1, 0), _frame(1, 1), 0.1)
    assert loss.item() == pytest.approx(0.0, abs=1e-7)


def test_duplicate_embeddings_no_nan():
    x = F.normalize(torch.ones(4, 8), dim=1).requires_grad_(True)
    loss = cycle_consistency_loss(x, x, 0.01)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(x.grad).all()
    assert loss.item() == pytest.approx(math.log(4), abs=1e-5)


# ----------------------------------------------------------------------------
# Gradients
# ----------------------------------------------------------------------------
def test_gradcheck_pair():
    x_t = _frame(3, 0, dim=4).double().requires_grad_(True)
    x_t2 = _frame(4, 1, dim=4).double().requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, b: cycle_consistency_loss(a, b, 0.3), (x_t, x_t2))


def test_gradcheck_palindrome():
    xs = tuple(
        _frame(n, i, dim=4).double().requires_grad_(True)
        for i, n in enumerate((3, 2, 4)))
    assert torch.autograd.gradcheck(
        lambda *x: palindrome_cycle_loss(list(x), 0.3), xs)


# ----------------------------------------------------------------------------
# Behaviour
# ----------------------------------------------------------------------------
def test_perfect_correspondence_is_near_zero_and_collapse_is_high():
    eye = torch.eye(8)
    x_t = eye[:5]
    perm = torch.tensor([3, 0, 4, 1, 2])
    x_t2 = x_t[perm]  # the same instances, listed in another order
    good = cycle_consistency_loss(x_t, x_t2, 0.05).item()
    assert 0.0 <= good < 1e-6
    # collapsed: every instance of t' has the same embedding
    collapsed = F.normalize(x_t.sum(dim=0, keepdim=True), dim=1).repeat(5, 1)
    bad = cycle_consistency_loss(x_t, collapsed, 0.05).item()
    assert bad == pytest.approx(math.log(5), abs=1e-4)
    # a permuted-and-collapsed t': two pairs of t merged
    merged = F.normalize(torch.stack([
        eye[0] + eye[1], eye[0] + eye[1], eye[2] + eye[3], eye[2] + eye[3],
        eye[4]
    ]),
                         dim=1)
    mid = cycle_consistency_loss(x_t, merged[perm], 0.05).item()
    assert good < mid < bad
    assert mid > 0.4


def test_sgd_lowers_the_loss():
    gen = torch.Generator().manual_seed(0)
    raw_t = torch.randn(6, 8, generator=gen).requires_grad_(True)
    raw_t2 = torch.randn(6, 8, generator=gen).requires_grad_(True)
    optim = torch.optim.SGD([raw_t, raw_t2], lr=0.5)
    module = CycleConsistencyLoss(temperature=0.1)

    def step():
        optim.zero_grad()
        loss = module(F.normalize(raw_t, dim=1), F.normalize(raw_t2, dim=1))
        loss.backward()
        optim.step()
        return loss.item()

    first = step()
    for _ in range(30):
        last = step()
    assert last < 0.5 * first


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------
def test_bad_input_raises():
    x = _frame(3, 0)
    with pytest.raises(ValueError, match=r'D=8.*D=4'):
        cycle_consistency_loss(x, _frame(3, 1, dim=4), 0.1)
    with pytest.raises(ValueError, match='`x_t2` must be a 2-D'):
        cycle_consistency_loss(x, x[0], 0.1)
    with pytest.raises(ValueError, match='`x_t` must be floating point'):
        cycle_consistency_loss(x.long(), x, 0.1)
    with pytest.raises(ValueError, match='temperature'):
        cycle_consistency_loss(x, x, 0.0)
    with pytest.raises(ValueError, match='at least 2'):
        palindrome_cycle_loss([x], 0.1)
    with pytest.raises(ValueError, match=r'xs\[1\]'):
        palindrome_cycle_loss([x, x[0]], 0.1)
    with pytest.raises(ValueError, match='embedding dimension'):
        palindrome_cycle_loss([x, _frame(2, 1, dim=4)], 0.1)


# ----------------------------------------------------------------------------
# Registered module
# ----------------------------------------------------------------------------
def test_registry_build_and_weight():
    x_t, x_t2, x_t3 = _frame(4, 0), _frame(5, 1), _frame(3, 2)
    loss = MODELS.build(
        dict(type='CycleConsistencyLoss', temperature=0.2, loss_weight=0.5))
    assert isinstance(loss, CycleConsistencyLoss)
    pair = cycle_consistency_loss(x_t, x_t2, 0.2).item()
    assert loss(x_t, x_t2).item() == pytest.approx(0.5 * pair, rel=1e-6)
    clip = palindrome_cycle_loss([x_t, x_t2, x_t3], 0.2).item()
    assert loss([x_t, x_t2, x_t3]).item() == pytest.approx(0.5 * clip,
                                                           rel=1e-6)
    with pytest.raises(ValueError, match='x_t2'):
        loss(x_t)
    with pytest.raises(ValueError, match='not a list and'):
        loss([x_t, x_t2], x_t3)
    with pytest.raises(ValueError, match='CycleConsistencyLoss'):
        MODELS.build(dict(type='CycleConsistencyLoss', temperature=-1))


# ----------------------------------------------------------------------------
# Seeded regression (values computed once with this implementation)
# ----------------------------------------------------------------------------
def test_seeded_regression():
    x_t, x_t2, x_t3 = (_frame(n, 2024 + i).double()
                       for i, n in enumerate((5, 7, 4)))
    assert cycle_consistency_loss(x_t, x_t2,
                                  0.1).item() == pytest.approx(PAIR_REF,
                                                               abs=1e-5)
    assert palindrome_cycle_loss([x_t, x_t2, x_t3],
                                 0.1).item() == pytest.approx(PALINDROME_REF,
                                                              abs=1e-5)


PAIR_REF = 1.1758863645043929
PALINDROME_REF = 1.9846800828944584
