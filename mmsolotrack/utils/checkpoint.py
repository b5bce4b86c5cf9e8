# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Load mmengine checkpoints with ``weights_only=True`` under torch >= 2.6.

mmengine 0.10.7 calls ``torch.load(filename, map_location)``; since torch 2.6
that means ``weights_only=True``, and every checkpoint an mmengine Runner
writes (numpy scalars and arrays, ``HistoryBuffer`` in ``message_hub``) is
refused, which breaks ``resume``, ``load_from`` and ``mim test``.

We keep ``weights_only=True`` and replace mmengine's loader of local files by
one that unpickles under an explicit allow-list (:data:`CHECKPOINT_SAFE_GLOBALS`),
scoped to the call with ``torch.serialization.safe_globals``: torch's global
safety settings are never changed. A checkpoint holding any other type is
refused with :class:`UnsafeCheckpointError`, naming the type and how to allow
it. A file that is empty, truncated or not a PyTorch checkpoint at all is
reported as such (:class:`CheckpointFileError`), with its name, before
anything is unpickled.
"""
import os
import pickle
import zipfile
from typing import Any, Callable, List, Optional, Union

import numpy as np
import torch

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'CheckpointFileError', 'UnsafeCheckpointError',
    'allow_checkpoint_globals', 'check_checkpoint_file',
    'load_checkpoint_file', 'register_safe_checkpoint_loader'
]


def _numpy_globals() -> List[Any]:
    """The numpy callables and classes needed to unpickle arrays/scalars."""
    # numpy >= 2 moved ``numpy.core`` to ``numpy._core``; arrays pickled by
    # either major version may name either module.
    items: List[Any] = [np.ndarray, np.dtype]
    for mod_name in ('numpy._core.multiarray', 'numpy.core.multiarray'):
        try:
            mod = __import__(mod_name, fromlist=['_reconstruct', 'scalar'])
        except ImportError:  # pragma: no cover - depends on numpy version
            continue
        items += [mod._reconstruct, mod.scalar]
    # dtype classes (numpy >= 1.25 pickles e.g. ``numpy.dtypes.Float64DType``)
    for code in '?bhilqBHILQefdgFDGUSV':
        items.append(type(np.dtype(code)))
    return items


#: The only attribute lookups a checkpoint may pickle: mmengine's
#: ``HistoryBuffer.__getstate__`` stores its statistics functions, which
#: pickle as ``getattr(HistoryBuffer, 'min')`` and so on.
HISTORY_BUFFER_STATISTICS = ('min', 'max', 'current', 'mean')


def restricted_getattr(obj: Any, name: str) -> Any:
    """Stands in for ``builtins.getattr`` while unpickling a checkpoint.

    Allowing the real ``getattr`` would let a checkpoint fetch any callable
    reachable from an allowed object (e.g. ``ndarray.tofile``); this resolves
    only ``HistoryBuffer``'s own statistics methods.
    """
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'refused attribute lookup getattr({obj!r}, {name!r}) in a checkpoint;'
        ' only HistoryBuffer statistics methods are allowed')


def _mmengine_globals() -> List[Any]:
    from mmengine.logging import HistoryBuffer
    return [HistoryBuffer, (restricted_getattr, 'builtins.getattr')]


#: Types and callables an mmengine Runner checkpoint may hold besides tensors
#: and plain containers (which torch always allows).
CHECKPOINT_SAFE_GLOBALS: List[Any] = []


def _safe_globals() -> List[Any]:
    if not CHECKPOINT_SAFE_GLOBALS:
        CHECKPOINT_SAFE_GLOBALS.extend(_numpy_globals() + _mmengine_globals())
    return CHECKPOINT_SAFE_GLOBALS


def allow_checkpoint_globals(*objs: Any) -> None:
    """Extend mmsolotrack's checkpoint allow-list (not torch's global one).

    Args:
        *objs: Classes or functions that checkpoints you trust may contain.
    """
    safe = _safe_globals()
    for obj in objs:
        if obj not in safe:
            safe.append(obj)


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a type outside the allow-list."""


class CheckpointFileError(RuntimeError):
    """A checkpoint file is empty, truncated or not a PyTorch checkpoint."""


#: How the two formats of ``torch.save`` begin: a zip archive (torch >= 1.6)
#: or, in the legacy format, torch's magic number pickled first (bytes 2-12,
#: after the pickle protocol header ``\x80 <protocol>``).
_ZIP_HEAD = b'PK\x03\x04'
_LEGACY_MAGIC = b'\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19'
_HOW_TO_FIX = ('was the download or the save interrupted (e.g. the disk ran '
               'full or the job was killed)? Fetch or save it again.')


def check_checkpoint_file(filename: str) -> None:
    """Refuse a file that cannot be a complete PyTorch checkpoint.

    Reads only the file's size and first bytes (and, for a zip archive, its
    central directory); nothing is unpickled.

    Args:
        filename (str): A local file.

    Raises:
        CheckpointFileError: The file is empty, is a zip archive without its
            end (truncated), or begins as neither format ``torch.save``
            writes.
    """
    if os.path.getsize(filename) == 0:
        raise CheckpointFileError(
            f'checkpoint file {filename} is empty (0 bytes); {_HOW_TO_FIX}')
    with open(filename, 'rb') as f:
        head = f.read(2 + len(_LEGACY_MAGIC))
    if head.startswith(_ZIP_HEAD):
        if not zipfile.is_zipfile(filename):
            raise CheckpointFileError(
                f'checkpoint file {filename} is truncated: its zip archive '
                f'has no end (central directory); {_HOW_TO_FIX}')
    elif not (head[:1] == b'\x80' and head[2:] == _LEGACY_MAGIC):
        raise CheckpointFileError(
            f'{filename} is not a PyTorch checkpoint: it is neither a zip '
            'archive written by torch.save nor torch\'s legacy format '
            f'(it begins with {head[:8]!r})')


def _global_name(obj: Any) -> str:
    if isinstance(obj, tuple):  # (object, name it stands in for)
        return obj[1]
    return f'{obj.__module__}.{obj.__qualname__}'


def _unsafe_names(filename: str) -> List[str]:
    allowed = {_global_name(o) for o in _safe_globals()}
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(filename)
    except Exception:  # noqa: BLE001 - best effort: used for the message only
        return []
    return [n for n in names if n not in allowed]


def load_checkpoint_file(filename: Union[str, Any],
                         map_location: Optional[Union[str, Callable]] = None
                         ) -> Any:
    """``torch.load`` with ``weights_only=True`` and our allow-list.

    Args:
        filename (str | file-like): The checkpoint.
        map_location: As for :func:`torch.load`.

    Returns:
        The unpickled checkpoint (usually a dict).

    Raises:
        CheckpointFileError: The file is empty, truncated or not a PyTorch
            checkpoint.
        UnsafeCheckpointError: The file holds a type outside the allow-list.
    """
    is_path = isinstance(filename, (str, os.PathLike))
    if is_path:
        check_checkpoint_file(filename)
    with torch.serialization.safe_globals(_safe_globals()):
        try:
            return torch.load(
                filename, map_location=map_location, weights_only=True)
        except EOFError as err:
            raise CheckpointFileError(
                f'checkpoint file {filename} is truncated: it ends before '
                f'its pickled data does; {_HOW_TO_FIX}') from err
        except RuntimeError as err:
            # torch's own words for a short legacy file / a foreign zip;
            # other errors (e.g. map_location) are not the file's fault
            first = str(err).splitlines()[0] if str(err) else ''
            if 'unexpected EOF' in first:
                raise CheckpointFileError(
                    f'checkpoint file {filename} is truncated: {first}; '
                    f'{_HOW_TO_FIX}') from err
            if 'PytorchStreamReader' in first or 'inline_container' in first:
                raise CheckpointFileError(
                    f'{filename} is not a readable PyTorch checkpoint: '
                    f'{first}') from err
            raise
        except pickle.UnpicklingError as err:
            names = _unsafe_names(str(filename)) if is_path else []
            what = ', '.join(names) if names else str(err).splitlines()[0]
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {filename}: it holds types '
                f'outside the allow-list of safe globals: {what}. '
                'Checkpoints are loaded with weights_only=True. If you trust '
                'this file, allow the type(s) before loading with '
                '`mmsolotrack.utils.allow_checkpoint_globals(TheType)` '
                '(e.g. in a module named by `custom_imports`).') from err


def _load_from_local(filename: str, map_location=None) -> Any:
    import os.path as osp
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return load_checkpoint_file(filename, map_location=map_location)


def register_safe_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints through :func:`load_checkpoint_file`.

    Replaces the loader mmengine registers for plain paths (prefix ``''``);
    ``resume``, ``load_from`` and ``load_checkpoint`` all go through it.
    """
    from mmengine.runner.checkpoint import CheckpointLoader
    CheckpointLoader.register_scheme(
        prefixes='', loader=_load_from_local, force=True)
