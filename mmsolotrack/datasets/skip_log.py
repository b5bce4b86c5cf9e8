# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A count of skipped reads that DataLoader worker processes share."""
import os
import os.path as osp
import tempfile
import weakref
from collections import Counter
from typing import List, Optional, Tuple


def _remove_if_owner(path: str, owner_pid: int) -> None:
    if os.getpid() == owner_pid and osp.exists(path):
        os.remove(path)


class SkipLog:
    """Skipped reads, visible across DataLoader worker processes.

    Each record is one line appended to a small temporary file, so skips in
    worker processes (fork or spawn) reach the main process, where
    :class:`~mmsolotrack.engine.hooks.VideoReadReportHook` reads them. The
    file is removed when the creating process drops the log.
    """

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(
            prefix='mmsolotrack_skipped_', suffix='.tsv')
        os.close(fd)
        weakref.finalize(self, _remove_if_owner, self.path, os.getpid())

    def add(self, file: str, frame: Optional[int], reason: str) -> None:
        """Record one skip: the file, its frame (or None), why."""
        fields = [file, '' if frame is None else str(frame), reason]
        line = '\t'.join(f.replace('\t', ' ').replace('\n', ' ')
                         for f in fields)
        with open(self.path, 'a') as f:
            f.write(line + '\n')

    def records(self) -> List[Tuple[str, Optional[int], str]]:
        """All records so far: (file, frame or None, reason)."""
        if not osp.exists(self.path):
            return []
        out = []
        with open(self.path) as f:
            for line in f:
                file, frame, reason = line.rstrip('\n').split('\t', 2)
                out.append((file, int(frame) if frame else None, reason))
        return out


class SkipCountsMixin:
    """``num_skipped`` / ``skipped_files`` of a data set holding a
    :class:`SkipLog` as ``self.skip_log`` (what the report hook reads)."""

    @property
    def num_skipped(self) -> int:
        """Reads skipped so far, in all worker processes."""
        return len(self.skip_log.records())

    @property
    def skipped_files(self) -> Counter:
        """Skips per file."""
        return Counter(file for file, _, _ in self.skip_log.records())
