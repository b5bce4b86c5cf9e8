# SOLOTrack, image + video self-supervision, on the previous quickstart
# recipe: the model of ../_base_/models/solotrack_tiny_cls.py at the native
# 160 x 256 input with second views (the quickstart config now trains at 2x
# input without views; this config has not been moved to it yet) plus the
# cycle-consistency loss on unlabelled SynthVIS clips. Each batch: 4
# labelled `train` frames as still images (as the image-only config) + 2
# `unlabeled` frame pairs, for 2400 iterations. Sized for a 2-core CPU
# (about 11 minutes of training).
#
# Frequently modified parameters:
#   model.loss_cycle          (tau_v walk temperature, l_cyc weight)
#   model.pseudo_cfg          (s_min, N and N_min instances per frame)
#   train_dataloader.sampler.source_ratio  (images : clips per batch)
#   train_dataloader.dataset.datasets.1.{clip_mode,clip_len,max_gap}
_base_ = [
    '../_base_/models/solotrack_tiny_cls.py',
    '../_base_/datasets/synthvis_video_ssl.py',
    '../_base_/schedules/schedule_tiny_adamw_2400i.py',
    '../_base_/video_runtime.py'
]
model = dict(
    # a low walk temperature, as in correspondence learning
    loss_cycle=dict(
        type='CycleConsistencyLoss', temperature=0.05, loss_weight=1.0),
    # copies of one object dropped as the tracker drops them
    pseudo_cfg=dict(
        min_score=0.3, max_instances=10, min_instances=3, dedup_iou_thr=0.3))
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=600))
log_processor = dict(by_epoch=False)
