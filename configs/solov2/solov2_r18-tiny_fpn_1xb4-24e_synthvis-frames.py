# mmdet's SOLOv2, tiny, trained on SynthVIS `train` frames as still images and
# tested with COCO-style segm AP on SynthVIS `val` frames. This is the plain
# segmenter (no embedding head): it proves the install/mim/Runner plumbing and
# is the "bare segmenter" of the speed ratios.
#
# Frequently modified parameters:
#   train_dataloader.batch_size, max_epochs (schedule), data_root (dataset)
_base_ = [
    '../_base_/models/solov2_tiny.py',
    '../_base_/datasets/synthvis_frames.py',
    '../_base_/schedules/schedule_tiny_24e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(logger=dict(interval=10))
