# SOLOTrack, image-only, the quickstart recipe: the tiny one-class SOLOv2 +
# embedding head + a crop classifier that names each mask, with a second
# view of every image for the embedding losses (see
# ../_base_/models/solotrack_tiny_cls.py), trained for 2400 iterations
# (AdamW) on SynthVIS `train` frames as independent still images (no
# identity labels), tested by tracking the SynthVIS `val` videos with the
# embedding tracker. Sized for a 2-core CPU (about 14 minutes of training).
#
# Frequently modified parameters:
#   max_iters / param_scheduler       (schedule)
#   model.cls_head                    (None and detector.mask_head.num_classes
#                                      = 5: the segmenter's own labels)
#   model.detector.mask_head.loss_*   (embedding loss weights, temperatures)
#   model.tracker                     (association thresholds)
_base_ = [
    '../_base_/models/solotrack_tiny_cls.py',
    '../_base_/datasets/synthvis_vis.py',
    '../_base_/schedules/schedule_tiny_adamw_2400i.py',
    '../_base_/video_runtime.py'
]
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=600))
log_processor = dict(by_epoch=False)
