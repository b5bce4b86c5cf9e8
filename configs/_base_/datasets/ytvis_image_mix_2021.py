# The image training set of the paper-scale YouTube-VIS 2021 configs: COCO
# relabelled with the 2021 classes plus the YouTube-VIS 2021 training frames,
# as independent still images. As ytvis_image_mix_2019.py.
#
# Frequently modified parameters: train_dataloader.dataset.datasets
_base_ = './coco_ytvis_2021.py'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[_base_.coco_ytvis_train, _base_.ytvis_frames_train]))
