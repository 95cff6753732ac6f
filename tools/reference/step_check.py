#!/usr/bin/env python3
"""Replays our trainer's Adam steps in PyTorch from one of our checkpoints and compares the result with a
later checkpoint of the same trial: whether a loss difference between our trainer and PyTorch can come
from what a step computes. Full-batch training (Problem 1) and shuffled mini-batches (the 54-model grid).

Usage: step_check.py FROM.safetensors TO.safetensors TEXT_FILE [--out FILE]

FROM and TO: checkpoints of one trial config trained with the same seed, FROM at epoch k, TO at epoch
k + n; objective last-step, optimizer adam, no dropout, split none (every window trains and validates)
or random (the windows our seeded shuffle puts on each side: split_random below replays it from the
checkpoint's trial seed). Full batch (training.full_batch): one step per epoch on every training window.
Otherwise each epoch e shuffles the training windows with a generator seeded by (trial seed, e) alone
(LastStepBatcher.beginEpoch; epoch_order below replays it) and takes batches of training.batch_size in
that order, at most training.max_batches_per_epoch of them (the last may be partial); clip_norm clips the
global gradient norm as torch.nn.utils.clip_grad_norm_ does. PyTorch loads FROM's weights and Adam
moments (its optimizer step count), runs the same steps on the same windows of TEXT_FILE (read byte for
byte, as our trainer reads a dataset path), and reports per epoch the training loss (mean over the
epoch's windows) beside ours (TO's history), then the validation loss beside TO's and each tensor's
largest absolute difference from TO's. Validation is what our trainer evaluates: the validation windows
in ascending order in batches of the training batch size, capped like training by max_batches_per_epoch
(so a capped split-none run validates on the text's first cap x batch windows, not on all of them;
`evaluated_windows` says how many). Prints JSON. Exit 2 for a checkpoint that does not fit (the message
names the file and field).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_checkpoint import CheckpointError, read_checkpoint  # noqa: E402
from model import CharModel  # noqa: E402


MASK = (1 << 64) - 1
STEP_KEYS = ("objective", "sequence_length", "stride", "batch_size", "full_batch", "max_batches_per_epoch", "learning_rate",
             "optimizer", "clip_norm")


def mix(x: int) -> int:
    """SplitMix64's finaliser (Sources/CharRNN/Data/Split.swift DerivedSeed.mix)."""
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SeededGenerator:
    """Our SeededGenerator (xoshiro256** seeded through SplitMix64), for replaying a random split."""

    def __init__(self, seed: int):
        sm = seed
        words = []
        for _ in range(4):
            sm = (sm + 0x9E3779B97F4A7C15) & MASK
            z = sm
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            words.append(z ^ (z >> 31))
        self.s = words

    def next(self) -> int:
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK  # noqa: E731
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, bound: int) -> int:
        """Swift's RandomNumberGenerator.next(upperBound:) (Lemire's multiply-and-reject)."""
        m = self.next() * bound
        if (m & MASK) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & MASK) < threshold:
                m = self.next() * bound
        return m >> 64


def split_random(count: int, fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """LastStepBatcher's random split of window indices 0..<count: (train, validation), each ascending."""
    order = list(range(count))
    generator = SeededGenerator(seed ^ mix(0x53504C4954000000))  # DerivedSeed.split: "SPLIT"
    for i in range(count - 1, 0, -1):
        j = generator.below(i + 1)
        order[i], order[j] = order[j], order[i]
    train = int(count * (1 - fraction))
    return sorted(order[:train]), sorted(order[train:])


def epoch_order(train: list[int], seed: int, epoch: int) -> list[int]:
    """LastStepBatcher.beginEpoch: the training windows (ascending) shuffled by a generator seeded with
    (seed, epoch) alone (DerivedSeed.epoch: "EPOCH" domain + epoch)."""
    order = list(train)
    generator = SeededGenerator(seed ^ mix((0x4550_4F43_4800_0000 + epoch) & MASK))
    below = generator.below
    for i in range(len(order) - 1, 0, -1):
        j = below(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def fail(message: str) -> None:
    print(f"step_check: {message}", file=sys.stderr)
    sys.exit(2)


def checkpoint(path: str) -> dict:
    try:
        state, settings, symbols = read_checkpoint(path)
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            adam = {k: f.get_tensor(k) for k in f.keys() if k.startswith("__adam__.")}
    except CheckpointError as e:
        fail(str(e))
    try:
        training = json.loads(meta.get("training", "{}"))
        progress = json.loads(meta.get("state", "{}"))
    except json.JSONDecodeError as e:
        fail(f"{path}: __metadata__ training/state is not JSON: {e}")
    if not isinstance(training, dict) or not isinstance(progress, dict):
        fail(f"{path}: __metadata__ training and state must be JSON objects")
    expected = {("training", "objective"): (training.get("objective"), "last-step"),
                ("training", "optimizer"): (training.get("optimizer"), "adam")}
    for (section, key), (value, want) in expected.items():
        if value != want:
            fail(f"{path}: __metadata__ {section}.{key} is {value!r}; step_check needs {want!r}")
    full_batch = training.get("full_batch", False)
    if not isinstance(full_batch, bool):
        fail(f"{path}: __metadata__ training.full_batch is {full_batch!r}; expected true or false")
    batch_size = training.get("batch_size")
    if not full_batch and (not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1):
        fail(f"{path}: __metadata__ training.batch_size is {batch_size!r}; expected an integer >= 1")
    cap = training.get("max_batches_per_epoch")
    if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 1):
        fail(f"{path}: __metadata__ training.max_batches_per_epoch is {cap!r}; expected null or an integer >= 1")
    clip = training.get("clip_norm")
    if clip is not None and (not isinstance(clip, (int, float)) or isinstance(clip, bool) or not 0 < clip < float("inf")):
        fail(f"{path}: __metadata__ training.clip_norm is {clip!r}; expected null or a positive number")
    config = settings["config"]
    for key in ("dropout", "head_dropout"):
        if config.get(key) not in (None, 0, 0.0):
            fail(f"{path}: __metadata__ config.{key} is {config.get(key)!r}; step_check cannot replay dropout masks (needs 0)")
    if settings["split_kind"] not in ("none", "random"):
        fail(f"{path}: __metadata__ split.kind is {settings['split_kind']!r}; step_check needs 'none' or 'random'")
    fraction = settings["split_fraction"]
    if settings["split_kind"] == "random" and not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        fail(f"{path}: __metadata__ split.fraction is {fraction!r}; expected a number in (0, 1)")
    try:
        seed = int(meta.get("seed", ""))
    except ValueError:
        fail(f"{path}: __metadata__ seed is {meta.get('seed')!r}; expected an unsigned integer")
    if not 0 <= seed <= MASK:
        fail(f"{path}: __metadata__ seed is {seed}; expected an unsigned 64-bit integer")
    epoch = progress.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 1:
        fail(f"{path}: __metadata__ state.epoch is {epoch!r}; expected an integer >= 1")
    history = progress.get("history")
    if not isinstance(history, list) or len(history) != epoch:
        fail(f"{path}: __metadata__ state.history has {len(history) if isinstance(history, list) else history!r} "
             f"entries; expected {epoch}")
    losses, val_losses = [], []
    for i, entry in enumerate(history):
        for key, out in (("train_loss", losses), ("val_loss", val_losses)):
            loss = entry.get(key) if isinstance(entry, dict) else None
            if not isinstance(loss, (int, float)):
                fail(f"{path}: __metadata__ state.history[{i}].{key} is {loss!r}; expected a number")
            out.append(float(loss))
    step = progress.get("step")
    if not isinstance(step, int) or isinstance(step, bool) or step < epoch:
        fail(f"{path}: __metadata__ state.step is {step!r}; expected an integer >= state.epoch {epoch}")
    lr = training.get("learning_rate")
    if not isinstance(lr, (int, float)) or lr <= 0:
        fail(f"{path}: __metadata__ training.learning_rate is {lr!r}; expected a positive number")
    for name in state:
        for moment in ("m", "v"):
            if f"__adam__.{moment}.{name}" not in adam:
                fail(f"{path}: tensor __adam__.{moment}.{name} is missing")
    return {"state": state, "settings": settings, "symbols": symbols, "adam": adam, "epoch": epoch, "step": step, "seed": seed,
            "losses": losses, "val_losses": val_losses, "lr": float(lr), "config": config, "full_batch": full_batch,
            "batch_size": batch_size, "max_batches": cap, "clip_norm": clip, "training": training}


def mean_loss(model: CharModel, tokens: torch.Tensor, starts: list[int], L: int, batch: int) -> float:
    """Mean last-step cross-entropy over the windows at `starts`, in eval mode, `batch` windows at a time."""
    model.eval()
    total = 0.0
    offsets = torch.arange(L)
    with torch.no_grad():
        for i in range(0, len(starts), batch):
            s = torch.tensor(starts[i:i + batch])
            logits, _ = model(tokens[s[:, None] + offsets], None, "last-step")
            total += F.cross_entropy(logits, tokens[s + L], reduction="sum").item()
    return total / len(starts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("start", help="our checkpoint at epoch k")
    ap.add_argument("end", help="our checkpoint of the same trial at epoch k + n")
    ap.add_argument("text", type=Path)
    ap.add_argument("--out", type=Path, help="write the JSON here too")
    args = ap.parse_args()
    torch.set_num_threads(1)
    a, b = checkpoint(args.start), checkpoint(args.end)
    if a["config"] != b["config"] or a["symbols"] != b["symbols"] or a["seed"] != b["seed"] or a["settings"] != b["settings"]:
        fail(f"{args.end}: config, split, seed or vocabulary differs from {args.start}'s")
    # What a step depends on (epochs, the sweep seed and bookkeeping keys may differ: the trial seed is compared above).
    for key in STEP_KEYS:
        if a["training"].get(key) != b["training"].get(key):
            fail(f"{args.end}: __metadata__ training.{key} is {b['training'].get(key)!r}, {args.start}'s is {a['training'].get(key)!r}")
    if b["losses"][:a["epoch"]] != a["losses"]:
        fail(f"{args.end}: its first {a['epoch']} epochs' losses differ from {args.start}'s (another seed?)")
    epochs = b["epoch"] - a["epoch"]
    if epochs < 1:
        fail(f"{args.end}: state.epoch {b['epoch']} is not after {args.start}'s {a['epoch']}")
    try:
        text = args.text.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"{args.text}: {e}")
    ids = {s: i for i, s in enumerate(a["symbols"])}
    unknown = sorted(set(text) - set(ids))
    if unknown:
        fail(f"{args.text}: characters {unknown!r} are not in the checkpoint's vocabulary")
    tokens = torch.tensor([ids[c] for c in text])
    L = a["settings"]["sequence_length"]
    stride = a["settings"]["stride"]
    starts = list(range(0, len(tokens) - L, stride))
    if a["settings"]["split_kind"] == "random":
        train_idx, validation_idx = split_random(len(starts), a["settings"]["split_fraction"], a["seed"])
        train, validation = [starts[i] for i in train_idx], [starts[i] for i in validation_idx]
    else:
        train = validation = starts
    # BatchSource: a full batch holds every training window; validation uses the same batch size.
    batch = len(train) if a["full_batch"] else a["batch_size"]
    cap = a["max_batches"]
    per_epoch = -(-len(train) // batch)
    per_epoch = min(per_epoch, cap) if cap else per_epoch
    for c in (a, b):
        if c["step"] != c["epoch"] * per_epoch:
            fail(f"{args.start if c is a else args.end}: __metadata__ state.step is {c['step']} at epoch {c['epoch']}; "
                 f"expected {c['epoch']} x {per_epoch} batches per epoch (batch {batch}, {len(train)} training windows)")
    evaluated = validation[:cap * batch] if cap else validation

    model = CharModel(a["config"])
    model.load_state_dict(a["state"], strict=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=a["lr"], foreach=False)
    names = dict(model.named_parameters())
    for name, p in names.items():
        optimizer.state[p] = {"step": torch.tensor(float(a["step"])), "exp_avg": a["adam"][f"__adam__.m.{name}"].clone(),
                              "exp_avg_sq": a["adam"][f"__adam__.v.{name}"].clone()}
    offsets = torch.arange(L)
    rows, step_losses = [], []
    for e in range(a["epoch"] + 1, b["epoch"] + 1):
        # Full batch: one batch of every window, whose order changes only the summation order.
        order = train if a["full_batch"] else epoch_order(train, a["seed"], e)
        model.train()
        total, count = 0.0, 0
        for i in range(per_epoch):
            s = torch.tensor(order[i * batch:(i + 1) * batch])
            optimizer.zero_grad()
            logits, _ = model(tokens[s[:, None] + offsets], None, "last-step")
            loss = F.cross_entropy(logits, tokens[s + L])
            loss.backward()
            if a["clip_norm"] is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), a["clip_norm"])
            optimizer.step()
            total += loss.item() * len(s)
            count += len(s)
            step_losses.append(loss.item())
        ours = b["losses"][e - 1]
        rows.append({"epoch": e, "torch_train_loss": total / count, "our_train_loss": ours, "difference": ours - total / count})
    val_loss = mean_loss(model, tokens, evaluated, L, batch)
    tensors = {}
    for name, p in names.items():
        theirs = p.detach()
        mine = b["state"][name]
        tensors[name] = {"max_abs_difference": (theirs - mine).abs().max().item(), "max_abs_value": mine.abs().max().item()}
    result = {"start": str(args.start), "end": str(args.end), "from_epoch": a["epoch"], "epochs": epochs,
              "steps": epochs * per_epoch, "from_step": a["step"], "full_batch": a["full_batch"], "batch_size": batch,
              "batches_per_epoch": per_epoch, "max_batches_per_epoch": cap, "clip_norm": a["clip_norm"],
              "split": a["settings"]["split_kind"], "train_windows": len(train), "validation_windows": len(validation),
              "evaluated_windows": len(evaluated), "torch_version": torch.__version__, "losses": rows,
              "torch_step_losses": step_losses,
              "val_loss": {"torch": val_loss, "ours": b["val_losses"][-1], "difference": b["val_losses"][-1] - val_loss},
              "max_abs_loss_difference": max(abs(r["difference"]) for r in rows),
              "max_abs_weight_difference": max(t["max_abs_difference"] for t in tensors.values()), "tensors": tensors}
    text_out = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text_out + "\n")
    print(text_out)


if __name__ == "__main__":
    main()
