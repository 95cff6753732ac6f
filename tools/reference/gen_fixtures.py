#!/usr/bin/env python3
"""Writes the PyTorch parity fixtures to Tests/CharRNNTests/Fixtures/<case>.safetensors.

The format is described in docs/reference-tools.md:
every state_dict entry under its PyTorch name (before any update), input.tokens/input.targets,
output.logits, grad.<param>, after.<bn>.running_mean/var (BatchNorm cases), adam.final.<param>
(after 5 steps of the case's optimizer), input2.* and metadata loss2 (every-step cases), and
__metadata__ {config, loss, adam_losses, loss2?, torch_version}.

Details the contract leaves open, fixed here:
- every-step inputs are real streams: each of the B rows is a random sequence s of 2L+1 tokens;
  chunk 1 = s[0:L] -> s[1:L+1], chunk 2 = s[L:2L] -> s[L+1:2L+1]. last-step targets are random.
- the first forward and each of the 5 optimizer steps start from a zero state on the same batch;
  adam_losses[0] == loss.
- loss2 is computed right after the first forward/backward (original parameters, train mode,
  no_grad), from the first chunk's final state; after.* stats are taken before it.
- for one-hot cases config.embedding_size = vocab_size (the RNN's input size); no embedding tensor.
- numbers in metadata are written with 9 significant digits ('%.9g').

Usage: gen_fixtures.py [--out DIR] [--check-counts]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open

sys.path.insert(0, str(Path(__file__).resolve().parent))
from model import CharModel, detach_state, parameter_count  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "Tests" / "CharRNNTests" / "Fixtures"

V, E, H, B, L = 11, 6, 5, 3, 4
OPT_STEPS = 5


def case(name, cell, objective, layers=1, fc_layers=1, **over):
    cfg = {
        "cell": cell, "layers": layers, "hidden_size": H, "input": "embedding", "embedding_size": E,
        "vocab_size": V, "fc_layers": fc_layers, "fc_hidden": [H] * (fc_layers - 1),
        "head_activation": "between", "activation": "relu", "batch_norm": False, "dropout": 0.0,
        "head_dropout": 0.0, "objective": objective, "batch_size": B, "sequence_length": L,
        "optimizer": "adam", "learning_rate": 0.01, "momentum": 0.0, "clip_norm": None,
    }
    for k, v in over.items():
        if k not in cfg:
            raise KeyError(f"case {name}: unknown key {k}")
        cfg[k] = v
    if cfg["input"] == "one-hot":
        cfg["embedding_size"] = V
    return name, cfg


CASES = [
    case("rnn_l1_f1_last", "rnn", "last-step"),
    case("lstm_l1_f1_last", "lstm", "last-step"),
    case("gru_l1_f1_last", "gru", "last-step"),
    case("rnn_l2_f2_last", "rnn", "last-step", layers=2, fc_layers=2),
    case("lstm_l2_f3_last", "lstm", "last-step", layers=2, fc_layers=3),
    case("gru_l2_f2_last", "gru", "last-step", layers=2, fc_layers=2),
    case("lstm_l1_f1_every", "lstm", "every-step"),
    case("gru_l2_f2_every", "gru", "every-step", layers=2, fc_layers=2),
    case("rnn_l1_f3_every", "rnn", "every-step", fc_layers=3),
    case("lstm_onehot_f2_last", "lstm", "last-step", fc_layers=2, input="one-hot"),
    case("gru_afterfirst_f1_last", "gru", "last-step", head_activation="after-first"),
    case("lstm_afterfirst_f3_last", "lstm", "last-step", fc_layers=3, head_activation="after-first"),
    case("lstm_fchidden_f3_last", "lstm", "last-step", fc_layers=3, fc_hidden=[7, 4]),
    case("gru_bn_f3_last", "gru", "last-step", fc_layers=3, batch_norm=True),
    case("lstm_bn_f2_every", "lstm", "every-step", fc_layers=2, batch_norm=True),
    case("rnn_tanh_f2_last", "rnn", "last-step", fc_layers=2, activation="tanh"),
    case("gru_sgd_f2_last", "gru", "last-step", fc_layers=2, optimizer="sgd", momentum=0.9, learning_rate=0.1),
    case("lstm_clip_f2_last", "lstm", "last-step", fc_layers=2, clip_norm=0.5, learning_rate=0.01),
]


DTYPES = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}


def write_safetensors(path: Path, tensors: dict, metadata: dict) -> None:
    """safetensors with a canonical header (sorted keys, tensors in name order), so a rerun is
    byte-identical (safetensors.torch.save_file orders the metadata map randomly)."""
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        tag, np_dtype = DTYPES[t.dtype]
        data = t.detach().contiguous().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": tag, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        f.write(len(head).to_bytes(8, "little"))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def g9(x: float) -> str:
    return format(float(x), ".9g")


def make_inputs(objective: str, gen: torch.Generator):
    if objective == "last-step":
        tokens = torch.randint(0, V, (B, L), generator=gen)
        targets = torch.randint(0, V, (B,), generator=gen)
        return tokens, targets, None, None
    streams = torch.randint(0, V, (B, 2 * L + 1), generator=gen)
    return (streams[:, 0:L].clone(), streams[:, 1:L + 1].clone(),
            streams[:, L:2 * L].clone(), streams[:, L + 1:2 * L + 1].clone())


def loss_of(model, tokens, targets, objective, state=None):
    logits, final_state = model(tokens, state, objective)
    return F.cross_entropy(logits, targets.reshape(-1)), logits, final_state


def make_optimizer(cfg, params):
    if cfg["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=cfg["learning_rate"], foreach=False)
    return torch.optim.SGD(params, lr=cfg["learning_rate"], momentum=cfg["momentum"], foreach=False)


def build_case(name: str, cfg: dict) -> tuple[dict, dict]:
    seed = zlib.crc32(name.encode())
    torch.manual_seed(seed)
    model = CharModel(cfg)
    model.train()
    gen = torch.Generator().manual_seed(seed + 1)
    tokens, targets, tokens2, targets2 = make_inputs(cfg["objective"], gen)
    objective = cfg["objective"]

    original = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors: dict[str, torch.Tensor] = dict(original)
    tensors["input.tokens"] = tokens
    tensors["input.targets"] = targets

    loss, logits, final_state = loss_of(model, tokens, targets, objective)
    loss.backward()
    tensors["output.logits"] = logits.detach().clone()
    for pname, p in model.named_parameters():
        tensors[f"grad.{pname}"] = p.grad.detach().clone()
    for mname, m in model.named_modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            tensors[f"after.{mname}.running_mean"] = m.running_mean.detach().clone()
            tensors[f"after.{mname}.running_var"] = m.running_var.detach().clone()

    meta = {"config": json.dumps(cfg, separators=(",", ":")), "loss": g9(loss.item()),
            "torch_version": torch.__version__}

    if objective == "every-step":
        with torch.no_grad():
            loss2, _, _ = loss_of(model, tokens2, targets2, objective, detach_state(final_state))
        tensors["input2.tokens"] = tokens2
        tensors["input2.targets"] = targets2
        meta["loss2"] = g9(loss2.item())

    # Optimizer run from the original parameters and buffers.
    model.load_state_dict(original)
    model.zero_grad(set_to_none=True)
    opt = make_optimizer(cfg, model.parameters())
    losses = []
    for _ in range(OPT_STEPS):
        opt.zero_grad(set_to_none=True)
        step_loss, _, _ = loss_of(model, tokens, targets, objective)
        losses.append(step_loss.item())
        step_loss.backward()
        if cfg["clip_norm"] is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip_norm"])
        opt.step()
    for pname, p in model.named_parameters():
        tensors[f"adam.final.{pname}"] = p.detach().clone()
    meta["adam_losses"] = "[" + ",".join(g9(x) for x in losses) + "]"

    tensors = {k: v.contiguous() for k, v in tensors.items()}
    return tensors, meta


def required_keys(cfg: dict, model: CharModel) -> set[str]:
    keys = set(model.state_dict().keys()) | {"input.tokens", "input.targets", "output.logits"}
    for pname, _ in model.named_parameters():
        keys |= {f"grad.{pname}", f"adam.final.{pname}"}
    for mname, m in model.named_modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            keys |= {f"after.{mname}.running_mean", f"after.{mname}.running_var"}
    if cfg["objective"] == "every-step":
        keys |= {"input2.tokens", "input2.targets"}
    return keys


def verify(path: Path, cfg: dict) -> None:
    """Reloads the file and checks keys, dtypes, shapes and metadata against the contract."""
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
        names = set(f.keys())
        tensors = {k: f.get_tensor(k) for k in names}
    model = CharModel(cfg)
    missing = required_keys(cfg, model) - names
    extra = names - required_keys(cfg, model)
    assert not missing, f"{path.name}: missing {sorted(missing)}"
    assert not extra, f"{path.name}: unexpected {sorted(extra)}"
    for k, v in tensors.items():
        want = torch.int64 if (k.endswith("num_batches_tracked") or k.startswith("input")) else torch.float32
        assert v.dtype == want, f"{path.name}: {k} is {v.dtype}, want {want}"
    rows = B if cfg["objective"] == "last-step" else B * L
    assert tuple(tensors["output.logits"].shape) == (rows, V), f"{path.name}: logits shape"
    tshape = (B,) if cfg["objective"] == "last-step" else (B, L)
    assert tuple(tensors["input.targets"].shape) == tshape, f"{path.name}: targets shape"
    need_meta = {"config", "loss", "adam_losses", "torch_version"}
    if cfg["objective"] == "every-step":
        need_meta.add("loss2")
    assert need_meta <= set(meta), f"{path.name}: metadata lacks {need_meta - set(meta)}"
    assert json.loads(meta["config"]) == cfg, f"{path.name}: config mismatch"
    losses = json.loads(meta["adam_losses"])
    assert len(losses) == OPT_STEPS and abs(losses[0] - float(meta["loss"])) < 1e-6, f"{path.name}: adam_losses"
    # The stored weights and logits must reproduce: reload them into a fresh model.
    model.load_state_dict({k: tensors[k] for k in model.state_dict()})
    model.train()
    with torch.no_grad():
        logits, _ = model(tensors["input.tokens"], None, cfg["objective"])
    assert torch.allclose(logits, tensors["output.logits"], atol=1e-6), f"{path.name}: logits do not reproduce"


def check_counts() -> None:
    cases = [("lstm", 128, 1, 148_801), ("gru", 128, 1, 115_777), ("lstm", 512, 3, 2_693_185)]
    ok = True
    for cell, h, f, want in cases:
        m = CharModel({"cell": cell, "hidden_size": h, "vocab_size": 65, "fc_layers": f})
        n = parameter_count(m)
        ok &= n == want
        print(f"V=65 {cell.upper()} H{h} f{f}: {n:,} parameters ({n * 4 / 2**20:.3f} MB)"
              f" — expected {want:,} {'OK' if n == want else 'MISMATCH'}")
    if not ok:
        sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check-counts", action="store_true", help="print V=65 parameter counts and exit")
    args = ap.parse_args()
    if args.check_counts:
        check_counts()
        return

    torch.set_num_threads(1)  # bit-identical output on every run
    args.out.mkdir(parents=True, exist_ok=True)
    total = 0
    print(f"torch {torch.__version__}; writing {len(CASES)} cases to {args.out}")
    for name, cfg in CASES:
        tensors, meta = build_case(name, cfg)
        path = args.out / f"{name}.safetensors"
        write_safetensors(path, tensors, meta)
        verify(path, cfg)
        size = path.stat().st_size
        total += size
        extra = f" loss2={meta['loss2']}" if "loss2" in meta else ""
        print(f"  {name:26s} {len(tensors):3d} tensors {size:6d} B  loss={meta['loss']}{extra}"
              f"  last step loss={json.loads(meta['adam_losses'])[-1]:.6g}")
    print(f"total {total} bytes ({total / 1024:.1f} KiB) in {len(CASES)} files; all reloaded and verified")


if __name__ == "__main__":
    main()
