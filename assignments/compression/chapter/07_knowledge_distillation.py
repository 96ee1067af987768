# %% [markdown]
# Look at the left plot closely. Training has lifted a handful of directions
# above the spectrum of a random matrix of the same scale (in the teacher's
# hidden layers the top 10% of directions carry about a third of the energy,
# against about a fifth for random weights, as printed above); the long tail
# still looks like the random initialisation. What the network *learned* sits
# mostly in the top directions. The right plot shows what that buys: at a
# fifth of the rank the model keeps 0.95 of the teacher's 0.98 accuracy with
# under a third of the parameters, and accuracy collapses once the cut
# reaches into the top directions (a twentieth of the rank leaves about half
# the digits right). At `rank_ratio = 1` the factors hold *more* numbers than
# the dense matrices they replace.
#
# ## 7. Knowledge distillation (9 points)
#
# Implement the loss and its gradient with respect to the student's logits.
# Two practical rules keep it exact:
#
# * **Work in log space.** `log_softmax(z) = z − max(z) − log Σ exp(z − max(z))`
#   is finite for logits of any size; `np.log(softmax(z) + 1e-8)` is not exact
#   and breaks down for confident predictions.
# * **Average over the batch**, both terms.
#
# Labels arrive either as integer class ids, shape (B,), or as probability
# rows, shape (B, C) (smoothed labels, say). The gradient has a compact closed
# form: differentiate each term with respect to `z_student` and remember that
# `d softmax(z/T) / dz` carries a factor `1/T`.

# %% nbgrader={"grade": false, "grade_id": "KnowledgeDistillation", "locked": false, "schema_version": 3, "solution": true, "task": false}
class KnowledgeDistillation:
    """Distil a teacher's softened predictions into a student.

    loss = alpha * T**2 * KL(softmax(t/T) || softmax(s/T)) + (1 - alpha) * CE(softmax(s), y),
    both terms averaged over the batch.
    """

    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        """Keep both models and the hyper-parameters as attributes of the same names.

        Raise ValueError if temperature <= 0 or alpha is outside [0, 1].
        """
        ### BEGIN SOLUTION
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = temperature
        self.alpha = alpha
        ### END SOLUTION

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        """The combined loss as a Python float (logits: (B, C) ndarrays or Tensors)."""
        ### BEGIN SOLUTION
        s, t, y = self._as_arrays(student_logits, teacher_logits, true_labels)
        T, batch = self.temperature, s.shape[0]
        log_p_teacher = _log_softmax_rows(t / T)
        soft = np.sum(np.exp(log_p_teacher) * (log_p_teacher - _log_softmax_rows(s / T))) / batch
        hard = -np.sum(y * _log_softmax_rows(s)) / batch
        return float(self.alpha * T**2 * soft + (1 - self.alpha) * hard)
        ### END SOLUTION

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        """d(distillation_loss) / d(student_logits), an ndarray of shape (B, C)."""
        ### BEGIN SOLUTION
        s, t, y = self._as_arrays(student_logits, teacher_logits, true_labels)
        T, batch = self.temperature, s.shape[0]
        soft = np.exp(_log_softmax_rows(s / T)) - np.exp(_log_softmax_rows(t / T))
        hard = np.exp(_log_softmax_rows(s)) - y
        return (self.alpha * T * soft + (1 - self.alpha) * hard) / batch

    @staticmethod
    def _as_arrays(student_logits, teacher_logits, true_labels):
        """float64 logits and labels as probability rows (one-hot for class ids)."""
        s = np.asarray(student_logits.data if isinstance(student_logits, Tensor) else student_logits, dtype=np.float64)
        t = np.asarray(teacher_logits.data if isinstance(teacher_logits, Tensor) else teacher_logits, dtype=np.float64)
        y = np.asarray(true_labels.data if isinstance(true_labels, Tensor) else true_labels)
        if y.ndim == 1:
            y = np.eye(s.shape[1])[y.astype(int)]
        return s, t, y.astype(np.float64)


def _log_softmax_rows(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_kd = KnowledgeDistillation("teacher", "student", temperature=4.0, alpha=0.8)
assert (_kd.teacher_model, _kd.student_model, _kd.temperature, _kd.alpha) == ("teacher", "student", 4.0, 0.8)
_s = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
_t = np.array([[3.0, 0.5, 0.2], [0.1, 3.5, 0.4]])
_y = np.array([0, 1])
_ce = -np.mean(np.log(np.exp(_s[[0, 1], _y]) / np.exp(_s).sum(axis=1)))  # computed before your code sees _s
_loss = _kd.distillation_loss(_s, _t, _y)
assert isinstance(_loss, float) and np.isfinite(_loss) and _loss > 0, f"the loss is a positive, finite Python float, got {_loss!r}"
assert_close(KnowledgeDistillation(None, None, 4.0, 0.0).distillation_loss(_s, _t, _y), _ce, atol=1e-9,
             what="the loss at alpha=0 (plain cross-entropy)")
assert_close(KnowledgeDistillation(None, None, 4.0, 1.0).distillation_loss(_t, _t, _y), 0.0, atol=1e-9,
             what="the loss at alpha=1 of a student equal to its teacher (no soft loss)")
assert _kd.distillation_grad(_s, _t, _y).shape == (2, 3)
print("KnowledgeDistillation: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_init", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: attributes kept; ValueError for temperature <= 0 and alpha outside [0, 1].
### BEGIN HIDDEN TESTS
_kd = KnowledgeDistillation(teacher_model=[1], student_model=[2])
assert (_kd.temperature, _kd.alpha) == (3.0, 0.7) and _kd.teacher_model == [1] and _kd.student_model == [2]
for _T, _a in ((0.0, 0.5), (-1.0, 0.5), (2.0, -0.1), (2.0, 1.1)):
    try:
        KnowledgeDistillation(None, None, temperature=_T, alpha=_a)
    except ValueError:
        pass
    else:
        raise AssertionError(f"temperature={_T}, alpha={_a} must raise ValueError")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the loss value for integer labels across temperatures and alphas.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(51)
for _T, _a, (_B, _C) in ((1.0, 0.5, (5, 4)), (3.0, 0.7, (8, 10)), (7.5, 0.25, (3, 6))):
    _s, _t = 2 * _rng.standard_normal((_B, _C)), 3 * _rng.standard_normal((_B, _C))
    _y = _rng.integers(0, _C, _B)
    _expected = _oracle_kd_loss(_s, _t, _y, _T, _a)
    _got = KnowledgeDistillation(None, None, _T, _a).distillation_loss(_s.copy(), _t.copy(), _y.copy())
    assert_close(_got, _expected, rtol=1e-6, atol=1e-6, what=f"the loss at T={_T}, alpha={_a}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_soft_term", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: KL(teacher || student), not the reverse, scaled by T**2 and averaged over the batch.
### BEGIN HIDDEN TESTS
_s = np.array([[4.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
_t = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]])
for _T in (1.0, 2.0, 5.0):
    _expected = _oracle_kd_loss(_s, _t, np.array([0, 1]), _T, 1.0)
    _got = KnowledgeDistillation(None, None, _T, 1.0).distillation_loss(_s.copy(), _t.copy(), np.array([0, 1]))
    assert_close(_got, _expected, atol=1e-8, what=f"the soft term alone (alpha=1) at T={_T}")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_soft_labels", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: labels given as probability rows (B, C); one-hot rows equal integer labels.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(52)
_s, _t = _rng.standard_normal((6, 5)), _rng.standard_normal((6, 5))
_rows = _rng.dirichlet(np.ones(5), size=6)
_ids = np.array([4, 0, 2, 2, 1, 3])
_expected_rows, _expected_ids = _oracle_kd_loss(_s, _t, _rows, 2.0, 0.4), _oracle_kd_loss(_s, _t, _ids, 2.0, 0.4)
_kd = KnowledgeDistillation(None, None, 2.0, 0.4)
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), _rows.copy()), _expected_rows, atol=1e-8, what="the loss for probability rows")
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), np.eye(5)[_ids]), _expected_ids, atol=1e-8, what="the loss for one-hot rows")
assert_close(_kd.distillation_loss(_s.copy(), _t.copy(), _ids.copy()), _expected_ids, atol=1e-8, what="the loss for class ids")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_stability", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: finite and exact for logits of magnitude 1000; Tensors accepted; a Python float comes back.
### BEGIN HIDDEN TESTS
import warnings as _warnings

_s = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]])
_t = np.array([[-1000.0, 1000.0, 0.0], [1000.0, -1000.0, 0.0]])
_y = np.array([1, 0])
_expected_loss, _expected_grad = _oracle_kd_loss(_s, _t, _y, 1.0, 0.5), _oracle_kd_grad(_s, _t, _y, 1.0, 0.5)
with _warnings.catch_warnings():
    _warnings.simplefilter("ignore")
    _got = KnowledgeDistillation(None, None, 1.0, 0.5).distillation_loss(Tensor(_s), Tensor(_t), _y.copy())
    _grad = KnowledgeDistillation(None, None, 1.0, 0.5).distillation_grad(_s.copy(), _t.copy(), _y.copy())
assert isinstance(_got, float), type(_got)
assert_close(_got, _expected_loss, rtol=1e-6, what="the loss for logits of magnitude 1000")
assert_close(_grad, _expected_grad, rtol=1e-5, atol=1e-9, what="the gradient for logits of magnitude 1000")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_KnowledgeDistillation_grad", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the gradient equals finite differences of the loss, for class ids and probability rows.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(53)
for _T, _a, _labels in ((2.0, 0.7, np.array([0, 3, 1])), (4.0, 0.3, _rng.dirichlet(np.ones(4), size=3))):
    _s, _t = _rng.standard_normal((3, 4)), _rng.standard_normal((3, 4))
    _numeric = np.zeros_like(_s)
    for _idx in np.ndindex(*_s.shape):
        _up, _down = _s.copy(), _s.copy()
        _up[_idx] += 1e-6
        _down[_idx] -= 1e-6
        _numeric[_idx] = (_oracle_kd_loss(_up, _t, _labels, _T, _a) - _oracle_kd_loss(_down, _t, _labels, _T, _a)) / 2e-6
    _grad = KnowledgeDistillation(None, None, _T, _a).distillation_grad(_s.copy(), _t.copy(), _labels.copy())
    assert_close(_grad, _numeric, rtol=1e-5, atol=1e-6, what=f"the gradient at T={_T}, alpha={_a} (against finite differences)")
### END HIDDEN TESTS

