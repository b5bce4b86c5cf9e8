# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Training seconds per iteration of several configs, in one process.

Every model trains on the same batches of its own config's train data, one
iteration of each model in turn, so machine noise hits all alike; the table
gives the median s/iter and the ratio to the first config. Also prints the
parameters each model has. Example (the cost of the embedding branch and
its losses):

    python tools/analysis_tools/train_speed.py \\
        configs/solov2/solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py \\
        configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py
"""
import argparse
import statistics
import time

import torch


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--data-root', default=None,
                        help='override train_dataloader.dataset.data_root')
    return parser.parse_args()


def build(path, data_root):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmsolotrack.registry import MODELS
    cfg = Config.fromfile(path)
    init_default_scope(cfg.get('default_scope', 'mmsolotrack'))
    if data_root:
        cfg.train_dataloader.dataset.data_root = data_root.rstrip('/') + '/'
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    model = MODELS.build(cfg.model)
    model.train()
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    optim = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    return model, iter(loader), optim


def step(model, batches, optim):
    data = next(batches)
    start = time.perf_counter()
    optim.zero_grad()
    data = model.data_preprocessor(data, True)
    losses = model(**data, mode='loss')
    loss, _ = model.parse_losses(losses)
    loss.backward()
    optim.step()
    return time.perf_counter() - start


def main():
    args = parse_args()
    import mmsolotrack  # noqa: F401
    torch.manual_seed(0)
    runs = [build(p, args.data_root) for p in args.configs]
    times = [[] for _ in runs]
    for it in range(args.warmup + args.iters):
        for i, run in enumerate(runs):
            sec = step(*run)
            if it >= args.warmup:
                times[i].append(sec)
    base = statistics.median(times[0])
    print(f'\n{"config":<70} {"params":>10} {"s/iter":>8} {"ratio":>6}')
    for path, run, t in zip(args.configs, runs, times):
        params = sum(p.numel() for p in run[0].parameters())
        med = statistics.median(t)
        print(f'{path[-70:]:<70} {params:>10,} {med:>8.3f} '
              f'{med / base:>6.2f}')
    print(f'(median of {args.iters} iterations after {args.warmup} warm-up, '
          'interleaved; data loading excluded)')


if __name__ == '__main__':
    main()
