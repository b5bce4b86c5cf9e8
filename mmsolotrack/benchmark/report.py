# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The SynthVIS side-by-side's report: ``results.md``, ``results.json`` and
plots, from the numbers one run measured."""
import json
import os.path as osp

from .budget import METHODS

#: YouTube-VIS metrics of every method (category-aware).
METRICS = ('AP', 'AP50', 'AP75', 'AR1', 'AR10')
#: Class-agnostic items (categories ignored in matching): segmentation and
#: association quality without the classifier's errors.
AGNOSTIC = ('AP', 'AP50', 'AR10')
#: Test-loop metric -> report key: the ones every method has ...
TRACK_KEYS = {
    **{f'youtube_vis/segm_{k}': k for k in METRICS},
    **{f'youtube_vis/segm_agnostic_{k}': f'agnostic_{k}' for k in AGNOSTIC},
    'track/idsw_per_100_frames': 'idsw_per_100_frames',
}
#: ... and the decomposition, where the config's evaluators measure it (the
#: SOLOTrack configs): the segmenter alone per frame, association alone
#: (ground-truth masks and labels, the model's embeddings and tracker).
DECOMPOSITION_KEYS = {
    'frame/segm_AP': 'frame_AP',
    'frame/segm_agnostic_AP': 'frame_agnostic_AP',
    'frame/recall50': 'frame_recall50',
    'frame/cls_acc': 'frame_cls_acc',
    'oracle_assoc/segm_AP': 'oracle_assoc_AP',
}


def metrics_row(metrics: dict) -> dict:
    """The report's row from a test loop's metrics (decomposition where
    present)."""
    row = {name: float(metrics[key]) for key, name in TRACK_KEYS.items()}
    row.update({
        name: float(metrics[key])
        for key, name in DECOMPOSITION_KEYS.items() if key in metrics
    })
    return row


def plot(results, scaling, work_dir):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    paths = []
    fig, ax = plt.subplots(figsize=(6, 3.5))
    keys = list(results)
    ax.bar(keys, [results[k]['AP'] for k in keys], color='#4477aa')
    ax.set_ylabel('YouTube-VIS AP (SynthVIS val)')
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([f'({k})' for k in keys])
    ax.set_title('AP per method')
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'ap_per_method.png'))
    fig.savefig(paths[-1], dpi=100)
    if not scaling:
        plt.close('all')
        return paths
    fig, ax = plt.subplots(figsize=(6, 3.5))
    sizes = sorted(scaling)
    ax.plot(sizes, [scaling[n] * 1000 for n in sizes], 'o-')
    ax.set_xlabel('instances per frame')
    ax.set_ylabel('tracker ms / frame')
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_title('EmbeddingTracker time vs instances')
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'tracker_scaling.png'))
    fig.savefig(paths[-1], dpi=100)
    plt.close('all')
    return paths


def r50_lines(report):
    """The R50 360x640 rows, or the line saying they were not measured."""
    r50 = report.get('r50')
    if not r50:
        why = ('no CUDA device in this run' if not report['cuda'] else
               'skipped with --r50-device none')
        return [f'R50 at 360x640 (GPU figures): not measured ({why}; '
                '`--r50-device cpu` measures them on the CPU).']
    height, width = r50['shape']
    inst = r50['instances']
    return [
        f"| R50 models, {height}x{width}, {r50['device']}, random weights, "
        'same process | s/frame | fps | tracked instances / frame |',
        '|---|---|---|---|',
        f"| SOLOTrack SOLOv2-R50 (whole pipeline) | {r50['solotrack']:.4f} | "
        f"{1 / r50['solotrack']:.2f} | {inst['solotrack']:.1f} |",
        f"| MaskTrack R-CNN R50 (whole pipeline) | {r50['masktrack']:.4f} | "
        f"{1 / r50['masktrack']:.2f} | {inst['masktrack']:.1f} |",
        f"| ratio SOLOTrack / MaskTrack R-CNN | "
        f"{r50['solotrack'] / r50['masktrack']:.2f} | | |",
    ]


def _cell(row, key, fmt='{:.3f}'):
    return fmt.format(row[key]) if key in row else '-'


def _scale(wh):
    return f'{wh[1]} x {wh[0]}'


def budget_lines(report):
    """What every method trained on, from the configs' facts."""
    budget = report['budget']
    lines = [
        f"Training budget: {budget['iters']} iterations per method, "
        f"{budget['images']} labelled images per batch, input "
        f"{_scale(budget['train_scale'])} in training and "
        f"{_scale(budget['test_scale'])} in testing (every SynthVIS frame "
        'resized alike).'
    ]
    for key, batch in budget['batches'].items():
        extra = []
        if batch['clips']:
            extra.append(f"+ {batch['clips']} unlabelled clips")
        if batch['ref_frames']:
            extra.append(f"each with {batch['ref_frames']} reference "
                         'frame of its video (identity pairs)')
        if extra:
            lines.append(f'({key}): {batch["images"]} labelled images '
                         + ' '.join(extra) + ' per batch.')
    if 'b' in report['results']:
        lines.append(
            f"(b) resumes (a)'s checkpoint at iteration "
            f"{report['ssl_start']} (weights, optimizer, schedule) and trains "
            f"the other {budget['iters'] - report['ssl_start']} iterations "
            'with clips added (its train s/iter is that phase\'s).')
    return lines


def write_report(report, work_dir):
    res, speed = report['results'], report.get('speed')
    lines = [
        '# SynthVIS benchmark', '',
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']}  ", f"Date: {report['date']}  ",
        f"Seeds: training {report['seed']}, data {report['data_seed']}  ",
        *budget_lines(report), '',
        '| method | AP | AP50 | AP75 | AR1 | AR10 | class-agnostic AP / AP50 '
        '/ AR10 | IDSW/100 frames | per-frame agnostic AP | '
        'association-only AP | train s/iter | fps (whole pipeline) |',
        '|---' * 12 + '|'
    ]
    for key, row in res.items():
        lines.append(
            f'| ({key}) {METHODS[key]} | ' +
            ' | '.join(f'{row[m]:.3f}' for m in METRICS) + ' | ' +
            ' / '.join(f"{row[f'agnostic_{m}']:.3f}" for m in AGNOSTIC) +
            f" | {row['idsw_per_100_frames']:.2f} | "
            f"{_cell(row, 'frame_agnostic_AP')} | "
            f"{_cell(row, 'oracle_assoc_AP')} | "
            f"{_cell(row, 'sec_per_iter', '{:.2f}')} | "
            f"{row['fps']:.2f} |")
    lines += [
        '', '(c) is (a)\'s checkpoint with mask-IoU association. (d) sees the '
        'identities of the `train` videos; the others never do. '
        'Class-agnostic: categories ignored when matching tracks to '
        'instances. Per-frame agnostic AP: the segmenter alone (COCO-style '
        'on `val` frames). Association-only AP: tracking AP with the '
        'ground-truth masks and labels, the model\'s embeddings and tracker '
        '(measured by the SOLOTrack configs only).'
    ]
    if speed:
        lines += [
            '', '| speed, same process (s/frame) | value |', '|---|---|',
            f"| SOLOTrack pipeline (segmenter + embedding + tracker) | "
            f"{speed['pipeline']:.4f} |",
            f"| bare segmenter ((a)'s weights, no embedding, classifier or "
            f"tracker) | {speed['bare']:.4f} |",
            f"| MaskTrack R-CNN | {speed['masktrack']:.4f} |",
            f"| ratio pipeline / bare segmenter | "
            f"{speed['pipeline'] / speed['bare']:.2f} |",
            f"| ratio ours / MaskTrack R-CNN | "
            f"{speed['pipeline'] / speed['masktrack']:.2f} |"
        ]
    if report.get('tracker_scaling'):
        lines += ['', '| instances per frame | tracker ms / frame |',
                  '|---|---|']
        for n, sec in report['tracker_scaling'].items():
            lines.append(f'| {n} | {sec * 1000:.2f} |')
    lines += [''] + r50_lines(report) + ['']
    path = osp.join(work_dir, 'results.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(report, f, indent=2)
    return path
