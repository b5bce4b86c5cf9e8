# SOLOTrack, image + video self-supervision on YouTube-VIS 2021:
# solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis21.py plus the cycle-consistency
# loss on clips of the 2021 training videos read without their json. As the
# 2019 video-ssl config (2 still images + 1 frame pair per GPU, 66k
# iterations: ~11 epochs of the larger 2021 image data).
#
# Frequently modified parameters:
#   model.loss_cycle, model.pseudo_cfg, source_ratio / max_gap
#   (_base_/datasets/ytvis_video_ssl_2021.py), max_iters
#   load_from                 optional: start from an image-only checkpoint,
#       load_from = 'work_dirs/solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis21/epoch_12.pth'  # noqa: E501
_base_ = [
    '../_base_/models/solotrack_solov2_r50_fpn.py',
    '../_base_/datasets/ytvis_video_ssl_2021.py',
    '../_base_/schedules/schedule_66k.py', '../_base_/video_runtime.py'
]

model = dict(
    loss_cycle=dict(
        type='CycleConsistencyLoss', temperature=0.1, loss_weight=1.0),
    pseudo_cfg=dict(min_score=0.3, max_instances=10))

default_hooks = dict(checkpoint=dict(by_epoch=False, interval=6000))
log_processor = dict(by_epoch=False)
custom_hooks = [
    dict(type='VideoReadReportHook', interval=6000),
    dict(type='EvalProgressHook')
]
load_from = None
