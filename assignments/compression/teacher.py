"""Train the digits teacher that the assignment ships as ``digits_teacher.npz``.

The notebook's analyses need a *trained* model, and students should not wait
for one to train. This script trains it once, with the notebook's own given
code (data split, SimpleModel, tinytorch layers) so that the split and the
architecture can never drift from what students load.
"""

from __future__ import annotations

import argparse
import types
from pathlib import Path

import nbformat
import numpy as np

from assignments.compression import ASSIGNMENT
from course.cells import CellKind, code_of_kinds
from course.content import source_path

HIDDEN_SIZES = (256, 128)


def given_namespace(notebook: Path) -> types.SimpleNamespace:
    """Execute the notebook's read-only given cells and return their names."""
    namespace: dict = {"__name__": "compression_given"}
    exec(compile(code_of_kinds(nbformat.read(notebook, as_version=4), CellKind.GIVEN), str(notebook), "exec"), namespace)
    return types.SimpleNamespace(**namespace)


def train_teacher(nb: types.SimpleNamespace, epochs: int = 40, learning_rate: float = 0.1, seed: int = 0):
    """Plain minibatch SGD on softmax cross-entropy; returns (model, test accuracy)."""
    X_train, y_train, X_test, y_test = nb.load_digits_split()
    np.random.seed(seed)
    sizes = (X_train.shape[1], *HIDDEN_SIZES, 10)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nb.Linear(n_in, n_out), nb.ReLU()]
    model = nb.SimpleModel(*layers[:-1])
    rng = np.random.default_rng(seed)
    onehot = np.eye(10)[y_train]
    for _ in range(epochs):
        order = rng.permutation(len(X_train))
        for start in range(0, len(order), 32):
            batch = order[start:start + 32]
            logits = model.forward(X_train[batch]).data.astype(np.float64)
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            model.backward((probs - onehot[batch]) / len(batch))
            for param in model.parameters():
                param.data -= learning_rate * param.grad
    return model, nb.accuracy(model, X_test, y_test)


def save_teacher(model, path: Path) -> None:
    dense = [layer for layer in model.layers if hasattr(layer, "weight")]
    arrays = {}
    for i, layer in enumerate(dense):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.weight.data, layer.bias.data
    np.savez(path, **arrays)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default=ASSIGNMENT)
    args = parser.parse_args(argv)
    notebook = source_path(args.assignment)
    nb = given_namespace(notebook)
    model, test_accuracy = train_teacher(nb)
    target = notebook.parent / nb.TEACHER_FILE
    save_teacher(model, target)
    print(f"{target}: test accuracy {test_accuracy:.3f}")


if __name__ == "__main__":
    main()
