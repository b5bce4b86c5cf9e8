# SOLOTrack, image-only: the tiny SOLOv2 + embedding head trained on SynthVIS
# `train` frames as independent still images (no identity labels), tested by
# tracking the SynthVIS `val` videos (YouTube-VIS AP) with the embedding
# tracker. Sized for a 2-core CPU.
#
# Frequently modified parameters:
#   max_epochs / train_cfg            (schedule)
#   model.track_head.loss_*           (embedding loss weights, temperatures)
#   model.tracker                     (association thresholds)
#   train_dataloader.batch_size
_base_ = [
    '../_base_/models/solotrack_tiny.py',
    '../_base_/datasets/synthvis_vis.py',
    '../_base_/schedules/schedule_tiny_24e.py', '../_base_/default_runtime.py'
]
default_hooks = dict(
    logger=dict(interval=10),
    visualization=dict(type='mmdet.TrackVisualizationHook', draw=False))
visualizer = dict(
    type='mmdet.TrackLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
