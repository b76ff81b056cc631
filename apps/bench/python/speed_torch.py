#!/usr/bin/python3
"""PyTorch side of `pnpm bench speed`: the same workloads as the TypeScript side, on the graph
the bench wrote (train_users.npy, train_items.npy, truth_users.npy, truth_items.npy, int32).

Prints one JSON object on stdout. Without torch it prints {"available": false, "reason": ...}.
Run with Debian's /usr/bin/python3 and its python3-torch (1.13, OpenBLAS).
"""
import argparse
import json
import math
import os
import platform
import resource
import sys
import time


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--batch", type=int, default=2048)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--eval-repeats", type=int, default=11)
    p.add_argument("--warmups", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--topk", type=int, default=20)
    p.add_argument("--seed", type=int, default=2020)
    # `bench scale`: time steps instead of whole epochs, rank only the users with a truth item
    # (a fixed sample), skip the single propagation layer.
    p.add_argument("--steps", type=int, default=0, help="timed steps (0: --repeats whole epochs)")
    p.add_argument("--warmup-steps", type=int, default=3)
    p.add_argument("--min-step-seconds", type=float, default=0.0)
    p.add_argument("--eval-truth-users", action="store_true")
    p.add_argument("--skip-propagation", action="store_true")
    return p.parse_args()


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 == 1 else (s[n // 2 - 1] + s[n // 2]) / 2


def main():
    args = parse_args()
    try:
        import numpy as np
        import torch
    except ImportError as error:
        print(json.dumps({"available": False, "reason": "python3-torch not installed: apt-get install python3-torch (%s)" % error}))
        return 0

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    users, items, dim, layers = args.users, args.items, args.dim, args.layers
    nodes = users + items

    def load(name):
        return np.load(os.path.join(args.dir, name)).astype(np.int64)

    tu, ti = load("train_users.npy"), load("train_items.npy")
    vu, vi = load("truth_users.npy"), load("truth_items.npy")
    nnz = len(tu)

    # Â = D^-1/2 [[0, R], [Rᵀ, 0]] D^-1/2 as a coalesced COO tensor (LightGCN, RecBole).
    du = np.bincount(tu, minlength=users).astype(np.float64)
    di = np.bincount(ti, minlength=items).astype(np.float64)
    w = (1.0 / np.sqrt(du[tu] * di[ti])).astype(np.float32)
    row = np.concatenate([tu, ti + users])
    col = np.concatenate([ti + users, tu])
    val = np.concatenate([w, w])
    adj = torch.sparse_coo_tensor(torch.from_numpy(np.stack([row, col])), torch.from_numpy(val), (nodes, nodes)).coalesce()

    # 1. One propagation layer, forward.
    prop = []
    if not args.skip_propagation:
        x = torch.randn(nodes, dim)
        warm = 0
        start = time.perf_counter()
        while warm < 10 or time.perf_counter() - start < 0.5:  # warm-up: >= 10 calls and 0.5 s, as ours
            torch.sparse.mm(adj, x)
            warm += 1
        start = time.perf_counter()
        while len(prop) < max(args.repeats, 21) or time.perf_counter() - start < 0.1:  # >= 21 calls and 0.1 s
            t0 = time.perf_counter()
            torch.sparse.mm(adj, x)
            prop.append((time.perf_counter() - t0) * 1000)
        del x

    # 2./3. LightGCN, BPR + L2 (squared, λ = 1e-4, mean over the batch), Adam lr 1e-3; one
    # uniform negative per pair rejecting the user's train items; full propagation each step.
    ego = torch.nn.Parameter(torch.empty(nodes, dim))
    torch.nn.init.xavier_uniform_(ego)
    optimizer = torch.optim.Adam([ego], lr=1e-3, eps=1e-8)
    train_keys = np.sort(tu * items + ti)
    reg = 1e-4

    def sample_negatives(bu):
        neg = rng.integers(0, items, size=len(bu))
        while True:
            keys = bu * items + neg
            pos = np.searchsorted(train_keys, keys)
            pos[pos >= nnz] = nnz - 1
            bad = train_keys[pos] == keys
            if not bad.any():
                return neg
            neg[bad] = rng.integers(0, items, size=int(bad.sum()))

    def final_rows(rows):
        acc = ego
        cur = ego
        for _ in range(layers):
            cur = torch.sparse.mm(adj, cur)
            acc = acc + cur
        return (acc / (layers + 1))[rows]

    def train_step(idx):
        bu, bi = tu[idx], ti[idx]
        bj = sample_negatives(bu)
        rows = torch.from_numpy(np.concatenate([bu, bi + users, bj + users]))
        b = len(idx)
        final = final_rows(rows)
        u, i, j = final[:b], final[b:2 * b], final[2 * b:]
        e = ego[rows]
        bpr = torch.nn.functional.softplus((u * j).sum(1) - (u * i).sum(1)).mean()
        loss = bpr + reg * (e * e).sum() / 2 / b
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    steps_per_epoch = math.ceil(nnz / args.batch)
    step_ms = []
    epoch_s = []
    losses = []
    if args.steps > 0:
        # Full batches from one shuffled epoch (wrapping around): warm-ups, then >= --steps timed
        # steps and >= --min-step-seconds of them; the epoch is the median step x steps per epoch.
        order = rng.permutation(nnz)
        full = max(1, nnz // args.batch)
        step = 0
        started = None
        while len(step_ms) < args.steps or time.perf_counter() - started < args.min_step_seconds:
            at = (step % full) * args.batch
            idx = order[at:at + args.batch]
            t0 = time.perf_counter()
            if step == args.warmup_steps:
                started = t0
            loss = train_step(idx)
            if step >= args.warmup_steps:
                step_ms.append((time.perf_counter() - t0) * 1000)
                losses.append(loss)
            step += 1
        epoch_s.append(median(step_ms) / 1000 * steps_per_epoch)
    for _ in range(args.repeats if args.steps == 0 else 0):
        order = rng.permutation(nnz)
        t_epoch = time.perf_counter()
        total = 0.0
        for step in range(steps_per_epoch):
            t0 = time.perf_counter()
            idx = order[step * args.batch:(step + 1) * args.batch]
            total += train_step(idx) * len(idx)
            if len(idx) == args.batch:
                step_ms.append((time.perf_counter() - t0) * 1000)
        epoch_s.append(time.perf_counter() - t_epoch)
        losses.append(total / nnz)

    # 4. Full ranking of all users, top-k, train items masked, on random embeddings.
    ue = torch.randn(users, dim)
    ie = torch.randn(items, dim)
    indptr = np.zeros(users + 1, dtype=np.int64)
    np.cumsum(np.bincount(tu, minlength=users), out=indptr[1:])
    order = np.argsort(tu, kind="stable")
    su, si = torch.from_numpy(tu[order]), torch.from_numpy(ti[order])
    truth_keys = np.sort(vu * items + vi)
    eval_users = np.unique(vu) if args.eval_truth_users else None
    ranking = []
    hits = 0
    for r in range(-args.warmups, args.eval_repeats):  # r < 0: untimed warm-ups
        t0 = time.perf_counter()
        hits = 0
        with torch.no_grad():
            if eval_users is None:
                for start in range(0, users, args.chunk):
                    end = min(users, start + args.chunk)
                    scores = ue[start:end] @ ie.T
                    a, z = int(indptr[start]), int(indptr[end])
                    scores[su[a:z] - start, si[a:z]] = -math.inf
                    top = torch.topk(scores, args.topk, dim=1).indices
                    keys = (torch.arange(start, end).unsqueeze(1) * items + top).flatten().numpy()
                    hits += int(np.isin(keys, truth_keys, assume_unique=False).sum())
            else:
                for start in range(0, len(eval_users), args.chunk):
                    chunk = eval_users[start:start + args.chunk]
                    scores = ue[torch.from_numpy(chunk)] @ ie.T
                    lengths = indptr[chunk + 1] - indptr[chunk]
                    # Positions of the chunk's train entries in su/si: its users' ranges, concatenated.
                    firsts = np.repeat(indptr[chunk] - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
                    at = torch.from_numpy(firsts + np.arange(int(lengths.sum())))
                    scores[torch.from_numpy(np.repeat(np.arange(len(chunk)), lengths)), si[at]] = -math.inf
                    top = torch.topk(scores, args.topk, dim=1).indices
                    keys = (torch.from_numpy(chunk).unsqueeze(1) * items + top).flatten().numpy()
                    hits += int(np.isin(keys, truth_keys, assume_unique=False).sum())
        if r >= 0:
            ranking.append(time.perf_counter() - t0)

    print(json.dumps({
        "available": True,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "blas": "openblas" if "openblas" in torch.__config__.show().lower() else "other",
        "propagationMs": median(prop) if prop else None,
        "trainStepMs": median(step_ms) if step_ms else None,
        "trainEpochSeconds": median(epoch_s),
        "epochLosses": losses,
        "stepsPerEpoch": steps_per_epoch,
        "fullRankSeconds": median(ranking),
        "fullRankHits": hits,
        "fullRankUsers": int(len(eval_users)) if eval_users is not None else users,
        "timedSteps": len(step_ms),
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
