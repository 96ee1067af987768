"""Plausible mistakes in train_with_distillation, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "train_with_distillation"
END_OF_DOCSTRING = '    """\n'  # the docstring's closing line: a stub's body goes right after it
EPOCH_MEAN = "history.append(total / seen)"

MUTANTS = [
    Mistake(
        "gradient_ascent",
        "Adds the gradient instead of subtracting it.",
        ("param.data -= learning_rate", "param.data += learning_rate"),
    ),
    Mistake(
        "history_last_batch",
        "Records the loss of the last minibatch of each epoch instead of the epoch mean.",
        ("total += kd.distillation_loss(", "total = kd.distillation_loss("),
        (EPOCH_MEAN, "history.append(total / len(batch))"),
    ),
    Mistake(
        "history_sums_batches",
        "Records the sum of the minibatch losses of each epoch instead of their mean.",
        ("y[batch]) * len(batch)", "y[batch])"),
        (EPOCH_MEAN, "history.append(total)"),
    ),
    Mistake(
        "never_updates",
        "Computes the update into a local variable and never writes it back into the parameters.",
        (
            "                param.data -= learning_rate * param.grad",
            "                data = param.data\n                data = data - learning_rate * param.grad",
        ),
    ),
    Mistake(
        "no_shuffle",
        "Walks through the data in its stored order, so the seed changes nothing.",
        ("order = rng.permutation(len(X))", "order = np.arange(len(X))"),
    ),
    Mistake(
        "unseeded_shuffle",
        "Shuffles with the global np.random state instead of a generator seeded by `seed`.",
        ("order = rng.permutation(len(X))", "order = np.random.permutation(len(X))"),
    ),
    Mistake(
        "updates_teacher",
        "Back-propagates through the teacher too and updates both models.",
        # the teacher runs forward on each batch, so that its layers can go backward
        (
            "            logits = student.forward(",
            "            teacher_logits[batch] = kd.teacher_model.forward(Tensor(X[batch])).data\n"
            "            logits = student.forward(",
        ),
        (
            "            student.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))\n"
            "            for param in student.parameters():",
            "            grad = kd.distillation_grad(logits, teacher_logits[batch], y[batch])\n"
            "            student.backward(grad)\n"
            "            kd.teacher_model.backward(-grad)\n"
            "            for param in student.parameters() + kd.teacher_model.parameters():",
        ),
    ),
    Mistake(
        "does_nothing_empty",
        "A stub that trains nothing and returns an empty history.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return []\n"),
    ),
    Mistake(
        "does_nothing_none",
        "A stub that trains nothing and returns None.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return None\n"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub that trains nothing and returns a loss of 0.0 for every epoch.",
        (END_OF_DOCSTRING, END_OF_DOCSTRING + "    return [0.0] * epochs\n"),
    ),
    # Attacks on the grader's expectations: inputs changed in place, or a student emptied so that nothing is compared.
    Mistake(
        "fakes_history_and_relabels",
        "Trains nothing, returns a falling history and overwrites the labels with the untrained student's predictions.",
        (
            END_OF_DOCSTRING,
            END_OF_DOCSTRING + "    X = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs, dtype=np.float32)\n"
            "    if isinstance(labels, np.ndarray):\n"
            "        labels[...] = np.argmax(kd.student_model.forward(Tensor(X)).data, axis=1)\n"
            "    return [1.0 / (epoch + 1) for epoch in range(epochs)]\n",
        ),
    ),
    Mistake(
        "empties_the_student",
        "Trains nothing, returns a falling history and removes every layer of the student.",
        (
            END_OF_DOCSTRING,
            END_OF_DOCSTRING + "    kd.student_model.layers = []\n"
            "    return [1.0 / (epoch + 1) for epoch in range(epochs)]\n",
        ),
    ),
]
