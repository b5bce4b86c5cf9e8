# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Synthetic videos of objects with known identities, as the segmenter
hands them to a tracker, and the VIS model's per-frame tracking loop.

A video is a list of frames; a frame is a list of instances
``(identity, x, y, score, label)``: a SIZE x SIZE square at top-left
(x, y) in an H x W frame, with the identity's embedding from an
orthonormal bank plus noise. Scores must be unique within a frame: they
carry the identity through the tracker.
"""
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

__all__ = [
    'H', 'W', 'SIZE', 'make_frame', 'orthonormal_bank', 'run_video', 'square'
]

#: Frame height and width, and the side of an object's square.
H = W = 64
SIZE = 16


def orthonormal_bank(num: int, dim: int, seed: int = 0) -> torch.Tensor:
    """(num, dim) orthonormal identity embeddings, num <= dim."""
    g = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(dim, dim, generator=g))
    return q[:num].contiguous()


def square(x: int, y: int, size: int = SIZE, h: int = H, w: int = W):
    """(h, w) bool mask of a size x size square at top-left (x, y)."""
    mask = torch.zeros(h, w, dtype=torch.bool)
    mask[max(y, 0):max(y + size, 0), max(x, 0):max(x + size, 0)] = True
    return mask


def make_frame(frame_id, objs, bank=None, noise=0.05, gen=None, h=H, w=W):
    """A DetDataSample of one frame.

    Args:
        objs (list[tuple]): (identity, x, y, score, label) per instance.
        bank (Tensor | None): (num_ids, D) identity embeddings; None gives
            no ``embeddings`` field.
    """
    n = len(objs)
    masks = torch.zeros((n, h, w), dtype=torch.bool)
    for i, (_, x, y, _, _) in enumerate(objs):
        masks[i] = square(x, y, h=h, w=w)
    pred = InstanceData(masks=masks,
                        scores=torch.tensor([o[3] for o in objs],
                                            dtype=torch.float32),
                        labels=torch.tensor([o[4] for o in objs],
                                            dtype=torch.long),
                        bboxes=torch.tensor(
                            [[o[1], o[2], o[1] + SIZE, o[2] + SIZE]
                             for o in objs],
                            dtype=torch.float32).reshape(n, 4))
    if bank is not None:
        emb = bank.new_zeros((n, bank.shape[1]))
        for i, o in enumerate(objs):
            emb[i] = bank[o[0]] + noise * torch.randn(bank.shape[1],
                                                      generator=gen)
        pred.embeddings = F.normalize(emb, dim=1)
    sample = DetDataSample(metainfo=dict(frame_id=frame_id))
    sample.pred_instances = pred
    return sample


def run_video(tracker, video, bank=None, seed=0):
    """Track a video as the VIS model does; returns, per frame, the output
    and the map identity -> track id (identities are read back from the
    scores, which are unique within a frame and passed through)."""
    gen = torch.Generator().manual_seed(seed)
    outs, id_maps = [], []
    for frame_id, objs in enumerate(video):
        if frame_id == 0:
            tracker.reset()
        out = tracker.track(make_frame(frame_id, objs, bank, gen=gen))
        score_to_identity = {
            s: o[0]
            for s, o in zip(torch.tensor([o[3] for o in objs]).tolist(), objs)
        }
        if len(score_to_identity) != len(objs):
            raise AssertionError('scores must be unique within a frame')
        ids = out.instances_id.tolist()
        if len(set(ids)) != len(ids):
            raise AssertionError(f'ids not unique within a frame: {ids}')
        id_maps.append({
            score_to_identity[s]: i
            for s, i in zip(out.scores.tolist(), ids)
        })
        outs.append(out)
    return outs, id_maps
