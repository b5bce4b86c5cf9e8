# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A deterministic held-out split of the annotated *train* videos.

The official YouTube-VIS / OVIS valid and test annotations are hidden and
their evaluation servers are closing, so AP can only be measured locally on
videos whose annotations are public: the train videos. This module splits
an official train json (``videos`` + per-track ``annotations``) by video
into *train minus holdout* and *holdout*; a model trained on the first is
evaluated on the second.

Which videos are held out depends only on the video ids, the fraction F and
the seed S: the videos are ranked by ``sha256(f'{S}:{video_id}')`` and the
first F * N of the N videos (rounded half up; at least 1, at most N - 1)
are held out. The same (F, S) gives the same split on any machine and
Python version; another seed gives another split.
"""
import copy
import hashlib
import math
from typing import Iterable, List, Tuple

#: The two parts of a split, in the order :func:`split_holdout` returns them.
HOLDOUT_PARTS = ('train_minus_holdout', 'holdout')


def check_holdout_fraction(fraction: float, source: str) -> None:
    """Raise a ValueError naming ``source`` unless 0 < ``fraction`` < 1."""
    if (isinstance(fraction, bool) or not isinstance(fraction, (int, float))
            or not math.isfinite(fraction) or not 0 < fraction < 1):
        raise ValueError(f'{source}: the holdout fraction must be a number '
                         f'in (0, 1), got {fraction!r}')


def _rank_key(video_id, seed: int) -> str:
    return hashlib.sha256(f'{seed}:{video_id}'.encode()).hexdigest()


def holdout_video_ids(video_ids: Iterable,
                      fraction: float,
                      seed: int = 0,
                      source: str = 'holdout split') -> List:
    """The ids of the held-out videos.

    Args:
        video_ids (Iterable): The N >= 2 distinct video ids of the train
            json (ints, as YouTube-VIS / OVIS number them).
        fraction (float): F in (0, 1), the share of videos held out.
        seed (int): S; the split is a function of (ids, F, S) only.
            Defaults to 0.
        source (str): Name of the input used in error messages.

    Returns:
        list: ``max(1, min(N - 1, floor(F * N + 0.5)))`` video ids, sorted.
    """
    check_holdout_fraction(fraction, source)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f'{source}: the holdout seed must be an int, got '
                         f'{seed!r}')
    ids = list(video_ids)
    if len(set(ids)) != len(ids):
        raise ValueError(f'{source}: video ids repeat; cannot split')
    if len(ids) < 2:
        raise ValueError(f'{source}: {len(ids)} video(s); a holdout split '
                         'needs at least 2')
    num = max(1, min(len(ids) - 1, math.floor(fraction * len(ids) + 0.5)))
    held = sorted(ids, key=lambda vid: _rank_key(vid, seed))[:num]
    return sorted(held)


def split_holdout(official: dict,
                  fraction: float,
                  seed: int = 0,
                  source: str = 'the YouTube-VIS json') -> Tuple[dict, dict]:
    """Split an official train json by video into (train minus holdout,
    holdout).

    Both parts keep the official layout (``videos`` and per-track
    ``annotations`` of their own videos; ``categories``, ``info`` and
    ``licenses`` copied), so each converts like the full file. Their
    ``info['holdout']`` records F, S, the part and its video ids.

    Args:
        official (dict): Official json with ``videos`` and ``annotations``.
        fraction (float): F in (0, 1).
        seed (int): S. Defaults to 0.
        source (str): Name of the input (a file path) for error messages.

    Returns:
        tuple[dict, dict]: ``(rest, holdout)``: disjoint in videos and
        annotations, together all of them; the input is not changed.
    """
    for key in ('videos', 'annotations'):
        if not isinstance(official, dict) or key not in official:
            raise ValueError(f"{source}: a holdout split needs the train "
                             f"json with '{key}' (annotations are what the "
                             'held-out videos are evaluated against)')
    ids = [video['id'] for video in official['videos']]
    held = set(holdout_video_ids(ids, fraction, seed, source))
    parts = []
    for part, keep in zip(HOLDOUT_PARTS,
                          (lambda v: v not in held, lambda v: v in held)):
        out = {
            k: copy.deepcopy(v)
            for k, v in official.items() if k not in ('videos', 'annotations')
        }
        out['videos'] = [
            copy.deepcopy(v) for v in official['videos'] if keep(v['id'])
        ]
        out['annotations'] = [
            copy.deepcopy(a) for a in official['annotations']
            if keep(a.get('video_id'))
        ]
        info = out.get('info')
        out['info'] = dict(info) if isinstance(info, dict) else {}
        out['info']['holdout'] = dict(part=part,
                                      fraction=fraction,
                                      seed=seed,
                                      video_ids=sorted(v['id']
                                                       for v in out['videos']))
        parts.append(out)
    return parts[0], parts[1]


def holdout_paths(out_path: str) -> Tuple[str, str]:
    """Where the two parts of a split of ``out_path`` are written:
    ``<stem>_minus_holdout.json`` and ``<stem>_holdout.json``, e.g.
    ``youtube_vis_2019_train_minus_holdout.json`` and
    ``youtube_vis_2019_train_holdout.json``."""
    stem = out_path[:-len('.json')] if out_path.endswith('.json') \
        else out_path
    return f'{stem}_minus_holdout.json', f'{stem}_holdout.json'
