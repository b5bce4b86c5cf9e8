# Ablation (e) of the quickstart recipe: the same model, data and schedule
# with the three image-level embedding losses switched off (weight 0). The
# embedding branch still runs, untrained, and the tracker links instances by
# its random-projection features: what the contrastive losses add to
# association is the difference to the quickstart config.
_base_ = './solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py'
model = dict(
    track_head=dict(
        loss_instance=dict(loss_weight=0.0),
        loss_center=dict(loss_weight=0.0),
        loss_entropy=dict(loss_weight=0.0)))
