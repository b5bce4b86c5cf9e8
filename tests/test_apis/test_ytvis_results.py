# Copyright (c) mmsolotrack contributors. All rights reserved.
"""YouTube-VIS results accumulated frame by frame, checked by hand."""
import json

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch
from mmengine.structures import InstanceData

from mmsolotrack.apis import YTVISTrackCollector
from mmsolotrack.testing.masks import box_mask

H, W = 6, 8


def _box_mask(x0, y0, x1, y1):
    return torch.from_numpy(box_mask(H, W, x0, y0, x1, y1))


def _frame(ids, labels, scores, masks):
    return InstanceData(instances_id=torch.tensor(ids, dtype=torch.long),
                        labels=torch.tensor(labels, dtype=torch.long),
                        scores=torch.tensor(scores, dtype=torch.float32),
                        masks=torch.stack(masks) if masks else torch.zeros(
                            (0, H, W), dtype=torch.bool))


def test_three_frames_two_tracks():
    a0, a1, a2 = _box_mask(0, 0, 2, 2), _box_mask(1, 0, 3,
                                                  2), _box_mask(2, 0, 4, 2)
    b0, b2 = _box_mask(4, 3, 8, 6), _box_mask(5, 4, 7, 5)
    collector = YTVISTrackCollector(video_id=7)
    # track 3: labels 1, 2, 2 with scores .9, .3, .3 -> votes {1: .9,
    # 2: .6} -> label 1, category_id 2; mean score .5
    collector.add(_frame([3, 5], [1, 4], [0.9, 0.8], [a0, b0]))
    collector.add(_frame([3], [2], [0.3], [a1]))  # track 5 hidden
    collector.add(_frame([5, 3], [0, 2], [0.4, 0.3], [b2, a2]))
    collector.add(_frame([], [], [], []))  # nothing tracked
    results = json.loads(json.dumps(collector.results()))  # JSON-safe

    assert [r['video_id'] for r in results] == [7, 7]
    track3, track5 = results
    assert track3['category_id'] == 2
    assert track3['score'] == pytest.approx(0.5)
    # track 5: votes {4: .8, 0: .4} -> label 4, category 5; mean .6
    assert track5['category_id'] == 5
    assert track5['score'] == pytest.approx(0.6)
    assert len(track3['segmentations']) == len(track5['segmentations']) == 4
    assert track3['segmentations'][3] is None
    assert track5['segmentations'][1] is None

    for seg, mask in zip(track3['segmentations'][:3], (a0, a1, a2)):
        assert seg['size'] == [H, W]
        decoded = mask_util.decode(
            dict(size=seg['size'], counts=seg['counts'].encode()))
        np.testing.assert_array_equal(decoded, mask.numpy())
    decoded = mask_util.decode(
        dict(size=[H, W], counts=track5['segmentations'][2]['counts']))
    np.testing.assert_array_equal(decoded, b2.numpy())


def test_no_frames_and_duplicate_ids():
    assert YTVISTrackCollector().results() == []
    collector = YTVISTrackCollector()
    mask = _box_mask(0, 0, 1, 1)
    with pytest.raises(ValueError, match='frame 0: a track id occurs twice'):
        collector.add(_frame([2, 2], [0, 0], [0.5, 0.5], [mask, mask]))
