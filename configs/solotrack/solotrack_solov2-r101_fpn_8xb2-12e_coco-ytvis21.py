# SOLOTrack, image-only, SOLOv2-R101 on YouTube-VIS 2021: as the R50 config.
#
# Frequently modified parameters: as the R50 config
_base_ = './solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis21.py'

model = dict(
    detector=dict(
        backbone=dict(
            depth=101,
            init_cfg=dict(checkpoint='torchvision://resnet101'))))
