# The image training set of the paper-scale YouTube-VIS 2019 configs: COCO
# relabelled with the YouTube-VIS 2019 classes plus the YouTube-VIS 2019
# training frames, all as independent still images (no identity labels),
# concatenated and shuffled together. Tested on the 2019 valid videos.
#
# Frequently modified parameters:
#   train_dataloader.dataset.datasets (add a RepeatDataset around the
#   frames to weight them up), frame_interval (ytvis_frames_2019.py)
_base_ = './coco_ytvis_2019.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[_base_.coco_ytvis_train, _base_.ytvis_frames_train]))
