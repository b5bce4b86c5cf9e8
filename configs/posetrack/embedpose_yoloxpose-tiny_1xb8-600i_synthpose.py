# EmbedPose tiny (mmpose YOLOX-Pose at 1/8 width + embedding head + pose
# embedding tracker), trained on SynthPose `train` frames as independent
# still images (no identity label is read), tested by tracking SynthPose
# `val` with the PoseTrack metric (mAP, MOTA). Sized for a 2-core CPU.
#
# Frequently modified parameters:
#   max_iters / param_scheduler   (schedule)
#   model.track_head.loss_*       (embedding loss weights, temperatures)
#   model.tracker                 (association thresholds)
_base_ = [
    '../_base_/models/embedpose_yoloxpose_tiny.py',
    '../_base_/datasets/synthpose_pose.py',
    '../_base_/default_runtime.py'
]
max_iters = 600
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        begin=50,
        end=max_iters,
        T_max=max_iters - 50,
        eta_min=1e-5)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=4e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=10, norm_type=2))
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters))
log_processor = dict(by_epoch=False)
