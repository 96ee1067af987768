"""Plausible mistakes in KnowledgeDistillation, as edits of the reference solution."""

from tests.grading.mutants import Mistake

CELL = "KnowledgeDistillation"
INIT_DOC = 'Raise ValueError if temperature <= 0 or alpha is outside [0, 1].\n        """\n'  # stubs go right after the docstrings
LOSS_DOC = '(logits: (B, C) ndarrays or Tensors)."""\n'
GRAD_DOC = 'an ndarray of shape (B, C)."""\n'
SOFT_LOSS = "soft = np.sum(np.exp(log_p_teacher) * (log_p_teacher - _log_softmax_rows(s / T))) / batch"
HARD_LOSS = "hard = -np.sum(y * _log_softmax_rows(s)) / batch"
GRAD = "return (self.alpha * T * soft + (1 - self.alpha) * hard) / batch"
MIXED_LOSS = "return float(self.alpha * T**2 * soft + (1 - self.alpha) * hard)"
COPY_OVER_TEACHER = (
    "        if isinstance(teacher_logits, np.ndarray) and teacher_logits.shape == np.shape(student_logits):\n"
    "            teacher_logits[...] = student_logits\n"
)

MUTANTS = [
    Mistake(
        "accepts_zero_temperature",
        "Checks temperature < 0 instead of <= 0, so T = 0 is accepted.",
        ("if not temperature > 0:", "if temperature < 0:"),
    ),
    Mistake(
        "argmax_prob_labels",
        "Turns probability-row labels into their arg-max class instead of using the rows.",
        (
            "        if y.ndim == 1:\n            y = np.eye(s.shape[1])[y.astype(int)]",
            "        y = np.eye(s.shape[1])[y.astype(int) if y.ndim == 1 else y.argmax(axis=1)]",
        ),
    ),
    Mistake(
        "epsilon_softmax",
        "Takes log(softmax + 1e-8) of an unshifted softmax: overflows for logits of magnitude 1000.",
        (
            "    shifted = z - z.max(axis=1, keepdims=True)\n"
            "    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            "    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n    return np.log(p + 1e-8)",
        ),
    ),
    Mistake(
        "grad_missing_inverse_t",
        "Differentiates the soft term as if d(s/T)/ds were 1: T**2 instead of T in the gradient.",
        ("(self.alpha * T * soft", "(self.alpha * T**2 * soft"),
    ),
    Mistake(
        "grad_not_averaged",
        "Averages the loss over the batch but not its gradient.",
        (GRAD, "return self.alpha * T * soft + (1 - self.alpha) * hard"),
    ),
    Mistake(
        "kl_reversed",
        "Computes KL(student || teacher) instead of KL(teacher || student).",
        (
            SOFT_LOSS,
            "log_p_student = _log_softmax_rows(s / T)\n"
            "        soft = np.sum(np.exp(log_p_student) * (log_p_student - log_p_teacher)) / batch",
        ),
    ),
    Mistake(
        "no_t_squared",
        "Forgets the T**2 factor on the soft term of the loss.",
        ("self.alpha * T**2 * soft", "self.alpha * soft"),
    ),
    Mistake(
        "softened_hard_term",
        "Computes the cross-entropy on the temperature-softened student softmax(s / T).",
        (HARD_LOSS, "hard = -np.sum(y * _log_softmax_rows(s / T)) / batch"),
        ("hard = np.exp(_log_softmax_rows(s)) - y", "hard = (np.exp(_log_softmax_rows(s / T)) - y) / T"),
    ),
    Mistake(
        "summed_over_batch",
        "Sums the loss and its gradient over the batch instead of averaging.",
        (SOFT_LOSS, SOFT_LOSS.removesuffix(" / batch")),
        (HARD_LOSS, HARD_LOSS.removesuffix(" / batch")),
        (GRAD, "return self.alpha * T * soft + (1 - self.alpha) * hard"),
    ),
    Mistake(
        "does_nothing_zeros",
        "A stub class: keeps the arguments unchecked, its loss is always 0.0 and its gradient zeros.",
        (
            INIT_DOC,
            INIT_DOC + "        self.teacher_model, self.student_model = teacher_model, student_model\n"
            "        self.temperature, self.alpha = temperature, alpha\n"
            "        return\n",
        ),
        (LOSS_DOC, LOSS_DOC + "        return 0.0\n"),
        (GRAD_DOC, GRAD_DOC + '        return np.zeros(np.shape(getattr(student_logits, "data", student_logits)))\n'),
    ),
    Mistake(
        "does_nothing_none",
        "A stub class whose methods do nothing: no attributes, no checks, None for the loss and the gradient.",
        (INIT_DOC, INIT_DOC + "        return\n"),
        (LOSS_DOC, LOSS_DOC + "        return None\n"),
        (GRAD_DOC, GRAD_DOC + "        return None\n"),
    ),
    # Attacks on the grader's expectations: inputs changed in place, and answers no finite tolerance should accept.
    Mistake(
        "no_soft_term_copies_student_over_teacher",
        "Leaves out the soft term of loss and gradient, after copying the student's logits over the teacher's in place.",
        (LOSS_DOC, LOSS_DOC + COPY_OVER_TEACHER),
        (GRAD_DOC, GRAD_DOC + COPY_OVER_TEACHER),
        (SOFT_LOSS, "soft = 0.0"),
        ("soft = np.exp(_log_softmax_rows(s / T)) - np.exp(_log_softmax_rows(t / T))", "soft = 0.0"),
    ),
    Mistake(
        "inf_when_mixing_terms",
        "Returns an infinite loss whenever 0 < alpha < 1 (the exact loss only at alpha 0 and 1).",
        (MIXED_LOSS, MIXED_LOSS + ' if self.alpha in (0.0, 1.0) else float("inf")'),
    ),
    Mistake(
        "nan_when_mixing_terms",
        "Returns nan as the loss whenever 0 < alpha < 1 (the exact loss only at alpha 0 and 1).",
        (MIXED_LOSS, MIXED_LOSS + ' if self.alpha in (0.0, 1.0) else float("nan")'),
    ),
]
