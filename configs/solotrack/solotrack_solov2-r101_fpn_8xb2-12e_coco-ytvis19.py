# SOLOTrack, image-only, SOLOv2-R101: as the R50 config (COCO + YouTube-VIS
# 2019 frames as still images, tested on the 2019 valid videos).
#
# Frequently modified parameters: as the R50 config
_base_ = './solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py'

model = dict(
    detector=dict(
        backbone=dict(
            depth=101,
            init_cfg=dict(checkpoint='torchvision://resnet101'))))
