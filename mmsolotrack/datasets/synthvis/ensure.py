# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Reuse a generated SynthVIS when it is the one asked for, else make it."""
import json
import os.path as osp
from typing import Callable, Optional, Sequence

from .config import SynthVISConfig
from .generator import generate_synthvis

#: What a usable SynthVIS folder holds (relative to its root).
NEEDED = ('meta.json', 'annotations/synthvis_train.json',
          'annotations/synthvis_val.json', 'val/JPEGImages')


def ensure_synthvis(root: str,
                    cfg: SynthVISConfig,
                    fresh: bool = False,
                    log: Callable[[str], None] = print,
                    progress: bool = True,
                    match: Optional[Sequence[str]] = None) -> str:
    """Make ``root`` hold the SynthVIS of ``cfg``, generating only if needed.

    A complete SynthVIS generated with the same parameters is reused; an
    incomplete one (an interrupted generation) is regenerated; ``fresh``
    always regenerates.

    Args:
        match (Sequence[str], optional): the parameters an existing
            SynthVIS must share with ``cfg`` to be reused (e.g.
            ``('seed', )`` to accept any size). Defaults to all of them.

    Returns:
        str: ``'reused'`` or ``'generated'``.

    Raises:
        ValueError: ``root`` holds a complete SynthVIS generated with other
            parameters (its ``meta.json`` and the differing ones are named)
            and ``fresh`` is False: reusing it would mix up data sets.
        FileExistsError: ``root`` is a non-empty folder that is not a
            SynthVIS data set (nothing in it is touched).
    """
    command = ('python -m mmsolotrack.datasets.synthvis --out '
               f'{root} --seed {cfg.seed}')
    lacking = [p for p in NEEDED if not osp.exists(osp.join(root, p))]
    if not fresh and not lacking:
        meta_path = osp.join(root, 'meta.json')
        with open(meta_path) as f:
            found = json.load(f).get('config', {})
        wanted = json.loads(json.dumps(cfg.to_dict()))
        keys = wanted if match is None else match
        differ = sorted(k for k in keys if found.get(k) != wanted[k])
        if differ:
            raise ValueError(
                f'{meta_path}: SynthVIS generated with other parameters (' +
                ', '.join(f'{k}={found.get(k)!r} instead of {wanted[k]!r}'
                          for k in differ) +
                '); regenerate it (--fresh where the tool has it) or use '
                'another data root')
        log(f'SynthVIS found in {root} (seed {cfg.seed}; reusing it)')
        return 'reused'
    if fresh or len(lacking) == len(NEEDED):
        log(f'Generating SynthVIS into {root} (the same as: {command})')
    else:
        log(f'SynthVIS in {root} lacks {lacking}; regenerating it (the same '
            f'as: {command})')
    try:
        generate_synthvis(root, cfg, progress=progress, overwrite=True)
    except FileExistsError as err:
        raise FileExistsError(f'{err}. Generate one elsewhere with:\n  '
                              f'{command}') from err
    return 'generated'
