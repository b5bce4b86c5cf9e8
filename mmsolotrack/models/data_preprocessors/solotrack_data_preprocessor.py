# Copyright (c) mmsolotrack contributors. All rights reserved.
"""One preprocessor for still images, unlabelled clips and whole videos."""
from typing import Dict, List

from mmdet.models.data_preprocessors import (DetDataPreprocessor,
                                             TrackDataPreprocessor)
from mmdet.structures import DetDataSample, TrackDataSample

from mmsolotrack.registry import MODELS


@MODELS.register_module()
class SOLOTrackDataPreprocessor(TrackDataPreprocessor):
    """Normalise and batch the three kinds of input SOLOTrack sees.

    * training batches of still images (``DetDataSample``, inputs (C, H, W))
      and unlabelled clips (``TrackDataSample``, inputs (T, C, H, W)), mixed
      in any proportion: clips are flattened into frames after the images,
      each frame tagged with ``clip_index`` (position of its clip in the
      batch) and ``clip_frame`` (its position in the clip). The result is one
      image batch (B', C, H, W) with a flat list of ``DetDataSample``;
    * still images at test time: as mmdet's ``DetDataPreprocessor``;
    * whole videos at test time (``TrackDataSample``): as mmdet's
      ``TrackDataPreprocessor``, inputs (N, T, C, H, W).

    Args: as for :class:`mmdet.models.TrackDataPreprocessor`
    (``use_det_processor`` is always on: mean and std keep the (C, 1, 1)
    shape, which broadcasts over both (C, H, W) and (T, C, H, W)).
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs['use_det_processor'] = True
        super().__init__(*args, **kwargs)

    def forward(self, data: dict, training: bool = False) -> Dict:
        samples = data.get('data_samples')
        is_video = samples is not None and len(samples) > 0 and all(
            isinstance(s, TrackDataSample) for s in samples)
        if is_video and not training:
            return super().forward(data, training)
        if samples is None:
            return DetDataPreprocessor.forward(self, data, training)
        return DetDataPreprocessor.forward(self, self._flatten(data),
                                           training)

    @staticmethod
    def _flatten(data: dict) -> dict:
        images, frames = [], []
        image_samples: List[DetDataSample] = []
        frame_samples: List[DetDataSample] = []
        clip_index = 0
        for inputs, sample in zip(data['inputs'], data['data_samples']):
            if isinstance(sample, TrackDataSample):
                for t in range(len(sample)):
                    frame = sample[t]
                    frame.set_metainfo(
                        dict(clip_index=clip_index, clip_frame=t))
                    frames.append(inputs[t])
                    frame_samples.append(frame)
                clip_index += 1
            else:
                images.append(inputs)
                image_samples.append(sample)
        return dict(
            inputs=images + frames, data_samples=image_samples + frame_samples)

    def pad_gt_masks(self, batch_data_samples: List[DetDataSample]) -> None:
        """Pad the masks of the samples that have some (not clip frames)."""
        with_masks = [
            s for s in batch_data_samples
            if 'gt_instances' in s and 'masks' in s.gt_instances
        ]
        if with_masks:
            super().pad_gt_masks(with_masks)
