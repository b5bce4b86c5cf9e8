# The fully supervised reference at the SOLOTrack quickstart's recipe: the
# same tiny MaskTrack R-CNN (trained WITH the identities of SynthVIS `train`)
# on the same budget and input as
# ../solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py: every
# frame upsampled 2x (320 x 512), 2400 iterations of 4 samples, AdamW
# (lr 1e-3, weight decay 0.05, warm-up, cosine decay). Each sample is a key
# frame and a reference frame of one video (the identity pair the track head
# learns from), so an iteration sees 8 frames.
#
# Frequently modified parameters:
#   img_scale, max_iters (../_base_/schedules/schedule_tiny_adamw_2400i.py)
_base_ = './masktrack-rcnn_r18-tiny_fpn_1xb4-24e_synthvis.py'
img_scale = (512, 320)  # (w, h)

train_pipeline = _base_.train_pipeline
train_pipeline[1].transforms[2].scale = img_scale  # mmdet.Resize
test_pipeline = _base_.test_pipeline
test_pipeline[0].transforms[1].scale = img_scale  # mmdet.Resize
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# ../_base_/schedules/schedule_tiny_adamw_2400i.py (mmengine does not merge
# two bases that both set the schedule, so it is restated here;
# tests/test_configs checks that the two stay alike)
max_iters = 2400
train_cfg = dict(
    _delete_=True,
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        begin=100,
        end=max_iters,
        T_max=max_iters - 100,
        eta_min=1e-5)
]
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=35, norm_type=2))
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=600))
log_processor = dict(by_epoch=False)
