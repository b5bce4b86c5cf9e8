# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Mean and spread of several SynthVIS benchmark runs (one per seed).

Each run is a work dir written by ``benchmark_synthvis.py --seed S
--work-dir DIR``; this script reads their ``results.json``, checks that they
measured the same thing (iterations, batch, input size, not ``--quick``),
and writes a table of mean +- sample standard deviation per method, with
the per-seed AP and class-agnostic AP next to it, and paired comparisons:
for (a) vs (d), (b) vs (a), (a) vs (e) and (a) vs (c), the difference of
each seed's two runs (same seed, same data), its mean +- std and in how
many seeds the first method is ahead:

    python tools/analysis_tools/summarize_benchmark_seeds.py \\
        work_dirs/benchmark work_dirs/benchmark_seed1 \\
        work_dirs/benchmark_seed2 --out work_dirs/benchmark/seeds.md
"""
import argparse
import json
import os.path as osp
import statistics

#: Columns of the summary: (key in results.json, header, decimals).
COLUMNS = (
    ('AP', 'AP', 3),
    ('AP50', 'AP50', 3),
    ('AR10', 'AR10', 3),
    ('agnostic_AP', 'agnostic AP', 3),
    ('agnostic_AP50', 'agnostic AP50', 3),
    ('agnostic_AR10', 'agnostic AR10', 3),
    ('idsw_per_100_frames', 'IDSW/100 frames', 1),
)
#: Columns measured by some methods only (the decomposition of the SOLOTrack
#: configs): summarised where present.
OPTIONAL = (
    ('frame_agnostic_AP', 'per-frame agnostic AP', 3),
    ('oracle_assoc_AP', 'association-only AP', 3),
)
#: Paired comparisons (first, second, why), where both ran.
PAIRS = (
    ('a', 'd', 'image-only vs fully supervised (the paper\'s claim)'),
    ('b', 'a', 'video self-supervision vs image-only'),
    ('a', 'e', 'embedding losses vs none'),
    ('a', 'c', 'embedding vs mask-IoU association'),
)
#: Columns of the paired comparison (higher is better except IDSW).
PAIRED = ('AP', 'agnostic_AP', 'oracle_assoc_AP', 'idsw_per_100_frames')
#: Run settings that must agree for the runs to be comparable.
SETTINGS = ('iters', 'batch_size', 'input_size', 'quick')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Mean +- std over SynthVIS benchmark runs (seeds)')
    parser.add_argument(
        'work_dirs',
        nargs='+',
        help='work dirs of benchmark_synthvis.py, each with results.json')
    parser.add_argument(
        '--out',
        help='also write the table (Markdown) to this file and '
        'the numbers to the same path with .json')
    parser.add_argument(
        '--mixed-data', action='store_true',
        help='accept runs on SynthVIS of different data seeds (each run is '
        'then a (training seed, data seed) sample; the spread mixes both)')
    return parser.parse_args(argv)


def load_runs(work_dirs, mixed_data=False):
    """Read and check ``results.json`` of every work dir.

    Returns:
        list[dict]: The reports, in the order given.

    Raises:
        FileNotFoundError: A work dir has no ``results.json``.
        ValueError: A report is not JSON, lacks a key, is a ``--quick``
            run, repeats a training seed, or was run with other settings or
            data than the first one (the file is named).
    """
    runs = []
    for work_dir in work_dirs:
        path = osp.join(work_dir, 'results.json')
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path}: no benchmark report; run tools/analysis_tools/'
                f'benchmark_synthvis.py --work-dir {work_dir} first')
        with open(path) as f:
            try:
                report = json.load(f)
            except json.JSONDecodeError as err:
                raise ValueError(f'{path}: not valid JSON ({err})') from err
        missing = [k for k in SETTINGS + ('results', ) if k not in report]
        if missing:
            raise ValueError(f'{path}: not a benchmark report, missing '
                             f'{missing}')
        if report['quick']:
            raise ValueError(f'{path}: a --quick run (smoke test); its '
                             'numbers are meaningless')
        for key, row in report['results'].items():
            lacking = [c for c, _, _ in COLUMNS if c not in row]
            if lacking:
                raise ValueError(f'{path}: method ({key}) lacks {lacking}')
        if runs:
            first = runs[0]
            for key in SETTINGS:
                if report[key] != first[key]:
                    raise ValueError(
                        f'{path}: {key}={report[key]!r} but '
                        f"{osp.join(work_dirs[0], 'results.json')} has "
                        f'{first[key]!r}; runs must share the budget')
            data_seeds = (report.get('data_seed'), first.get('data_seed'))
            if not mixed_data and None not in data_seeds and \
                    data_seeds[0] != data_seeds[1]:
                raise ValueError(
                    f'{path}: data seed {data_seeds[0]} but the first run '
                    f'used {data_seeds[1]}; seeds of one benchmark share '
                    'the data')
            if report.get('seed') is not None and _run_id(report) in [
                    _run_id(run) for run in runs
            ]:
                raise ValueError(f"{path}: training seed {report['seed']} "
                                 + (f"on data seed {report.get('data_seed')} "
                                    if mixed_data else '') +
                                 'is already among the runs')
            if set(report['results']) != set(first['results']):
                raise ValueError(f'{path}: methods {sorted(report["results"])}'
                                 f' differ from {sorted(first["results"])}')
        runs.append(report)
    return runs


def _run_id(report):
    """What makes a run another sample: its training and data seeds."""
    return report.get('seed'), report.get('data_seed')


def _stats(values):
    return dict(
        mean=statistics.fmean(values),
        std=statistics.stdev(values) if len(values) > 1 else 0.0,
        values=values)


def summarize(runs):
    """Mean and sample standard deviation per method and column.

    Returns:
        dict: ``{method: {column: {'mean', 'std', 'values'}}}``; ``std`` is
        0 for a single run. Optional columns appear where every run of the
        method has them.
    """
    out = {}
    for method in runs[0]['results']:
        out[method] = {}
        for col, _, _ in COLUMNS + OPTIONAL:
            rows = [run['results'][method] for run in runs]
            if all(col in row for row in rows):
                out[method][col] = _stats([row[col] for row in rows])
    return out


def paired(runs):
    """Per-seed differences of the PAIRS that ran.

    Returns:
        dict: ``{'a-d': {column: {'mean', 'std', 'values', 'ahead'}}}``:
        ``values`` first minus second per run, ``ahead`` the number of runs
        in which the first method is better (lower for IDSW).
    """
    out = {}
    methods = runs[0]['results']
    for first, second, _ in PAIRS:
        if first not in methods or second not in methods:
            continue
        out[f'{first}-{second}'] = cols = {}
        for col in PAIRED:
            rows = [(run['results'][first], run['results'][second])
                    for run in runs]
            if not all(col in x and col in y for x, y in rows):
                continue
            diffs = [x[col] - y[col] for x, y in rows]
            sign = -1 if col.startswith('idsw') else 1
            cols[col] = dict(_stats(diffs),
                             ahead=sum(sign * d > 0 for d in diffs))
    return out


def to_markdown(summary, runs, work_dirs):
    seeds = [str(run.get('seed', '?')) for run in runs]
    data_seeds = {run.get('data_seed') for run in runs}
    if len(data_seeds) > 1:
        seeds = [
            f"{run.get('seed', '?')}/data {run.get('data_seed')}"
            for run in runs
        ]
    first = runs[0]
    lines = [
        f'# SynthVIS benchmark over {len(runs)} runs '
        f'(seeds {", ".join(seeds)})', '',
        f"Budget: {first['iters']} iterations per method, batch of "
        f"{first['batch_size']} images, input {first['input_size']}. "
        'Mean +- sample standard deviation; per run: ' +
        ', '.join(f'`{d}`' for d in work_dirs) + '.', '',
        '| method | ' + ' | '.join(h for _, h, _ in COLUMNS) +
        ' | AP per run | agnostic AP per run |',
        '|---' * (len(COLUMNS) + 3) + '|'
    ]
    for method, row in summary.items():
        cells = [
            f"{row[c]['mean']:.{d}f} +- {row[c]['std']:.{d}f}"
            for c, _, d in COLUMNS
        ]
        per_run = [
            ' / '.join(f'{v:.3f}' for v in row[c]['values'])
            for c in ('AP', 'agnostic_AP')
        ]
        lines.append(f'| ({method}) | ' + ' | '.join(cells + per_run) + ' |')
    optional = [(c, h, d) for c, h, d in OPTIONAL
                if any(c in row for row in summary.values())]
    if optional:
        lines += ['', '| method | ' + ' | '.join(h for _, h, _ in optional)
                  + ' |', '|---' * (len(optional) + 1) + '|']
        for method, row in summary.items():
            cells = [
                f"{row[c]['mean']:.{d}f} +- {row[c]['std']:.{d}f}"
                if c in row else '-' for c, _, d in optional
            ]
            lines.append(f'| ({method}) | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def paired_markdown(pairs, num_runs):
    """The paired comparison table: per column, mean +- std of the per-seed
    difference and the seeds in which the first method is ahead."""
    if not pairs:
        return ''
    why = {f'{a}-{b}': text for a, b, text in PAIRS}
    lines = [
        '', f'Paired by seed (first minus second; ahead: runs out of '
        f'{num_runs} in which the first is better, fewer switches for IDSW):',
        '', '| pair | ' + ' | '.join(PAIRED) + ' |',
        '|---' * (len(PAIRED) + 1) + '|'
    ]
    for key, cols in pairs.items():
        cells = [
            f"{cols[c]['mean']:+.3f} +- {cols[c]['std']:.3f} "
            f"(ahead {cols[c]['ahead']}/{num_runs})" if c in cols else '-'
            for c in PAIRED
        ]
        first, second = key.split('-')
        lines.append(f'| ({first}) vs ({second}), {why[key]} | ' +
                     ' | '.join(cells) + ' |')
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    try:
        runs = load_runs(args.work_dirs, args.mixed_data)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'error: {err}')
    summary = summarize(runs)
    pairs = paired(runs)
    md = to_markdown(summary, runs, args.work_dirs) + paired_markdown(
        pairs, len(runs))
    print(md)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(md)
        with open(osp.splitext(args.out)[0] + '.json', 'w') as f:
            json.dump(dict(work_dirs=args.work_dirs,
                           seeds=[run.get('seed') for run in runs],
                           data_seeds=[run.get('data_seed') for run in runs],
                           summary=summary,
                           paired=pairs),
                      f,
                      indent=2)
        print(f'written to {args.out}')


if __name__ == '__main__':
    main()
