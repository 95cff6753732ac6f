#!/usr/bin/env python3
"""Self-test of load_checkpoint.py on checkpoints fabricated here with the RNNSweep layout
(state_dict tensors + "__"-prefixed extras + __metadata__ config/vocabulary/split/training/dataset).

Each model is trained briefly (so the loss is well below uniform and BatchNorm running stats are
non-trivial), saved, and evaluated by load_checkpoint.py in a child process; the result must equal a
second, differently written evaluation here (per-window loop for last-step; one unchunked forward
over whole streams for every-step). Then broken checkpoints must fail with exit status 2.

Usage: selftest_load_checkpoint.py [DATA_DIR]   (default $RNNSWEEP_DATA_DIR or ../shared/data)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from model import CharModel  # noqa: E402

LOADER = HERE / "load_checkpoint.py"


def train(model, tokens, L, objective, steps=150, B=32):
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    cut = int(len(tokens) * 0.9)
    model.train()
    for _ in range(steps):
        p = torch.randint(0, cut - L - 1, (B,))
        idx = p[:, None] + torch.arange(L)[None, :]
        x = tokens[idx]
        y = tokens[p + L] if objective == "last-step" else tokens[idx + 1].reshape(-1)
        opt.zero_grad()
        logits, _ = model(x, None, objective)
        F.cross_entropy(logits, y).backward()
        opt.step()
    return opt


def save(path, model, opt, meta):
    tensors = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    for i, (name, _) in enumerate(model.named_parameters()):  # optimizer state the loader must ignore
        st = opt.state[list(model.parameters())[i]]
        tensors[f"__adam.m.{name}"] = st["exp_avg"].clone()
        tensors[f"__adam.v.{name}"] = st["exp_avg_sq"].clone()
    tensors["__step"] = torch.tensor([150], dtype=torch.int64)
    save_file(tensors, str(path), metadata={k: json.dumps(v) for k, v in meta.items()})


def run_loader(*args):
    p = subprocess.run([sys.executable, str(LOADER), *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


@torch.no_grad()
def direct_last_step(model, tokens, L):
    cut = int(len(tokens) * (1 - 0.1))
    model.eval()
    losses = []
    for p in range(cut, len(tokens) - L, 512):  # every window, 512 at a time, built one by one
        rows = [tokens[q:q + L] for q in range(p, min(p + 512, len(tokens) - L))]
        targets = torch.stack([tokens[q + L] for q in range(p, p + len(rows))])
        logits, _ = model(torch.stack(rows), None, "last-step")
        losses.append(F.cross_entropy(logits, targets, reduction="none"))
    return torch.cat(losses).mean().item()


@torch.no_grad()
def direct_every_step(model, tokens, B):
    cut = int(len(tokens) * (1 - 0.1))
    val = tokens[cut:]
    T = (len(val) - 1) // B
    x = torch.stack([val[b * T:(b + 1) * T] for b in range(B)])
    y = torch.stack([val[b * T + 1:(b + 1) * T + 1] for b in range(B)])
    model.eval()
    logits, _ = model(x, None, "every-step")  # whole streams at once = chunks with carried state
    return F.cross_entropy(logits, y.reshape(-1)).item()


def main() -> None:
    data = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RNNSWEEP_DATA_DIR", HERE / "../../../shared/data"))
    torch.manual_seed(1)
    torch.set_num_threads(1)
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        # A: GRU + BatchNorm head, last-step, flattened trial config, letters-lowercase preprocessing.
        raw = (data / "timemachine.txt").read_text(encoding="utf-8")
        text = re.sub("[^A-Za-z]+", " ", raw).lower()
        vocab = "".join(sorted(set(text)))
        tok = torch.tensor([vocab.index(c) for c in text])
        cfg = {"cell": "gru", "layers": 1, "hidden_size": 32, "input": "embedding", "embedding_size": 16,
               "vocab_size": len(vocab), "fc_layers": 2, "fc_hidden": [24], "head_activation": "between",
               "activation": "relu", "batch_norm": True, "dropout": 0.0, "head_dropout": 0.1,
               "objective": "last-step", "sequence_length": 12, "batch_size": 32, "stride": 1}
        m = CharModel(cfg)
        opt = train(m, tok, 12, "last-step")
        ckpt_a = tmp / "a.safetensors"
        save(ckpt_a, m, opt, {"config": cfg, "vocabulary": vocab, "split": {"kind": "tail", "fraction": 0.1},
                              "dataset": {"name": "timemachine", "preprocess": "letters-lowercase"}})
        want = direct_last_step(m, tok, 12)
        rc, out, err = run_loader(ckpt_a, data / "timemachine.txt", "--json")
        got = json.loads(out)["val_loss"] if rc == 0 else float("nan")
        ok = abs(got - want) < 1e-5 and want < 3.0
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} A gru+bn last-step timemachine: loader {got:.6f} direct {want:.6f} {err.strip()}")

        # B: 2-layer LSTM, one-hot input, every-step, training keys in a separate 'training' entry.
        text = (data / "tinyshakespeare.txt").read_text(encoding="utf-8")[:60000]
        (tmp / "shakes.txt").write_text(text, encoding="utf-8")
        vocab = "".join(sorted(set(text)))
        tok = torch.tensor([vocab.index(c) for c in text])
        cfg = {"cell": "lstm", "layers": 2, "hidden_size": 24, "input": "one-hot", "vocab_size": len(vocab),
               "fc_layers": 1, "fc_hidden": [], "head_activation": "between", "activation": "relu",
               "batch_norm": False, "dropout": 0.2, "head_dropout": 0.0}
        m = CharModel(cfg)
        opt = train(m, tok, 16, "every-step")
        ckpt_b = tmp / "b.safetensors"
        save(ckpt_b, m, opt, {"config": cfg, "vocabulary": vocab,
                              "training": {"objective": "every-step", "sequence_length": 16, "batch_size": 8}})
        want = direct_every_step(m, tok, 8)
        rc, out, err = run_loader(ckpt_b, tmp / "shakes.txt", "--json")
        got = json.loads(out)["val_loss"] if rc == 0 else float("nan")
        ok = abs(got - want) < 1e-5 and want < 3.5
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} B lstm one-hot every-step shakespeare: loader {got:.6f} direct {want:.6f} {err.strip()}")

        # Broken inputs: clear error, exit status 2.
        sd = {k: v.clone() for k, v in m.state_dict().items() if k != "fc.0.bias"}
        save_file(sd, str(tmp / "missing.safetensors"), metadata={"config": json.dumps(cfg), "vocabulary": json.dumps(vocab),
                                                                   "training": json.dumps({"sequence_length": 16})})
        (tmp / "alien.txt").write_text(text + "\u00e9", encoding="utf-8")
        for label, args, needle in [
            ("missing tensor", (tmp / "missing.safetensors", tmp / "shakes.txt"), "fc.0.bias"),
            ("unknown character", (ckpt_b, tmp / "alien.txt"), "not in the checkpoint's vocabulary"),
            ("not safetensors", (tmp / "shakes.txt", tmp / "shakes.txt"), "not a readable safetensors"),
        ]:
            rc, out, err = run_loader(*args)
            ok = rc == 2 and needle in err
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {label}: exit {rc}: {err.strip()[:160]}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
