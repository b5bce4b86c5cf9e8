# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Mean and spread of several SynthVIS benchmark runs (one per seed).

Each run is a work dir written by ``benchmark_synthvis.py --seed S
--work-dir DIR``; this script reads their ``results.json``, checks that they
measured the same thing (iterations, batch, input size, not ``--quick``),
and writes a table of mean +- sample standard deviation per method, with
the per-seed AP and class-agnostic AP next to it:

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
    return parser.parse_args(argv)


def load_runs(work_dirs):
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
            if None not in data_seeds and data_seeds[0] != data_seeds[1]:
                raise ValueError(
                    f'{path}: data seed {data_seeds[0]} but the first run '
                    f'used {data_seeds[1]}; seeds of one benchmark share '
                    'the data')
            if report.get('seed') is not None and report['seed'] in [
                    run.get('seed') for run in runs
            ]:
                raise ValueError(f"{path}: training seed {report['seed']} "
                                 'is already among the runs')
            if set(report['results']) != set(first['results']):
                raise ValueError(f'{path}: methods {sorted(report["results"])}'
                                 f' differ from {sorted(first["results"])}')
        runs.append(report)
    return runs


def summarize(runs):
    """Mean and sample standard deviation per method and column.

    Returns:
        dict: ``{method: {column: {'mean', 'std', 'values'}}}``; ``std`` is
        0 for a single run.
    """
    out = {}
    for method in runs[0]['results']:
        out[method] = {}
        for col, _, _ in COLUMNS:
            values = [run['results'][method][col] for run in runs]
            out[method][col] = dict(
                mean=statistics.fmean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.0,
                values=values)
    return out


def to_markdown(summary, runs, work_dirs):
    seeds = [str(run.get('seed', '?')) for run in runs]
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
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    try:
        runs = load_runs(args.work_dirs)
    except (FileNotFoundError, ValueError) as err:
        raise SystemExit(f'error: {err}')
    summary = summarize(runs)
    md = to_markdown(summary, runs, args.work_dirs)
    print(md)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(md)
        with open(osp.splitext(args.out)[0] + '.json', 'w') as f:
            json.dump(dict(work_dirs=args.work_dirs,
                           seeds=[run.get('seed') for run in runs],
                           summary=summary),
                      f,
                      indent=2)
        print(f'written to {args.out}')


if __name__ == '__main__':
    main()
