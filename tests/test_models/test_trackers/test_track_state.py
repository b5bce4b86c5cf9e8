# Copyright (c) mmsolotrack contributors. All rights reserved.
"""TrackState (the tensor rows of the live tracks) against per-track
Python bookkeeping, as BaseTracker's dict of tracks held it."""
import random

import numpy as np
import torch
import torch.nn.functional as F

from mmsolotrack.models.trackers.track_state import TrackState


def test_fold_and_keep_match_per_track_reference():
    """Random frames: some tracks continue, new ones start, old ones are
    dropped. Votes use scores in quarters, so equal sums (ties) are
    common: the label seen first must win, as Python's
    ``max(votes, key=votes.get)`` on an insertion-ordered dict does."""
    rng = random.Random(0)
    gen = torch.Generator().manual_seed(0)
    state = TrackState()
    ref = {}  # id -> dict(memory, votes, last)
    next_id, momentum, dim = 0, 0.7, 8
    ties = 0
    for frame in range(60):
        live = list(ref)
        matched = rng.sample(live, k=rng.randint(0, len(live)))
        new = list(range(next_id, next_id + rng.randint(0, 3)))
        next_id += len(new)
        ids = matched + new
        rng.shuffle(ids)
        labels = [rng.randrange(4) for _ in ids]
        scores = [rng.choice([0.25, 0.5, 0.75]) for _ in ids]
        emb = F.normalize(torch.randn(len(ids), dim, generator=gen), dim=1)
        state.fold(np.array(ids, dtype=np.int64),
                   np.array(labels, dtype=np.int64),
                   np.array(scores, dtype=np.float32), frame, emb, momentum)
        for k, i in enumerate(ids):
            x = emb[k:k + 1]
            if i in ref:
                ref[i]['memory'] = F.normalize(momentum * ref[i]['memory'] +
                                               (1 - momentum) * x,
                                               dim=1)
            else:
                ref[i] = dict(memory=x.clone(), votes={})
            votes = ref[i]['votes']
            votes[labels[k]] = votes.get(labels[k], 0.0) + scores[k]
            ref[i]['last'] = frame
        # drop the tracks unseen for more than 2 frames
        stale = [i for i in ref if frame - ref[i]['last'] > 2]
        for i in stale:
            del ref[i]
        state.keep(frame - state.last_frame <= 2)

        order = sorted(ref)  # rows are in id order
        assert state.ids.tolist() == order
        assert state.last_frame.tolist() == [ref[i]['last'] for i in order]
        want = [max(ref[i]['votes'], key=ref[i]['votes'].get) for i in order]
        assert state.voted_labels().tolist() == want, frame
        rows = state.rows(np.array(order[::-1], dtype=np.int64))
        assert state.voted_labels(rows).tolist() == want[::-1]
        if ref:
            assert torch.equal(state.memory,
                               torch.cat([ref[i]['memory'] for i in order]))
        ties += sum(
            sorted(v['votes'].values())[-2:].count(max(v['votes'].values())) >
            1 for v in ref.values() if len(v['votes']) > 1)
    assert ties > 10  # the tie-break was exercised


def test_first_seen_label_wins_a_tie():
    state = TrackState()
    for frame, label in enumerate([2, 1]):
        state.fold(np.array([0]), np.array([label]),
                   np.array([0.5], np.float32), frame, None, 0.5)
    # sums 0.5 and 0.5: label 2 came first (argmax would say 1)
    assert state.voted_labels().tolist() == [2]
    assert state.memory is None
    assert state.label_sums.dtype == np.float64
