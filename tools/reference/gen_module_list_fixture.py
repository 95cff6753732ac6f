#!/usr/bin/env python3
"""Writes Tests/CharRNNTests/Fixtures/original_modulelist_lstm_f3.safetensors: the state_dict of the
original report's model class (original_model.py: a ModuleList head, fc.0/fc.1/fc.2) with seeded
weights, an input batch and the logits that class computes, and __metadata__ config = the same model
in our config keys with head_names "module-list". The Swift test loads the tensors by name and
shape into a model built from that config and checks that it computes the same logits.

Usage: gen_module_list_fixture.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_fixtures import DEFAULT_OUT, write_safetensors  # noqa: E402
from model import CharModel  # noqa: E402
from original_model import OriginalGridModel, original_model_for  # noqa: E402

NAME = "original_modulelist_lstm_f3"
V, H, B, L = 11, 6, 3, 5
CONFIG = {"vocab_size": V, "cell": "lstm", "layers": 1, "hidden_size": H, "input": "embedding", "embedding_size": H,
          "fc_layers": 3, "fc_hidden": [H, H], "head_activation": "after-first", "activation": "relu",
          "batch_norm": False, "dropout": 0.0, "head_dropout": 0.0, "head_names": "module-list"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    torch.manual_seed(2024)
    torch.set_num_threads(1)
    original = original_model_for(CONFIG)
    assert isinstance(original, OriginalGridModel)
    tokens = torch.randint(0, V, (B, L), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        logits = original(tokens)
    state = original.state_dict()
    # Our reference model with module-list names takes the same tensors, strictly, and agrees.
    ours = CharModel(CONFIG)
    ours.load_state_dict(state, strict=True)
    with torch.no_grad():
        reference_logits, _ = ours(tokens, None, "last-step")
    assert torch.allclose(logits, reference_logits, atol=1e-6), "reference model disagrees with the original class"
    assert sorted(ours.state_dict()) == sorted(state)

    tensors = {name: t for name, t in state.items()}
    tensors["input.tokens"] = tokens.to(torch.int64)
    tensors["output.logits"] = logits
    metadata = {"config": json.dumps(CONFIG, separators=(",", ":")), "torch_version": torch.__version__}
    path = args.out / f"{NAME}.safetensors"
    write_safetensors(path, tensors, metadata)
    print(f"wrote {path}: {sorted(state)}")


if __name__ == "__main__":
    main()
