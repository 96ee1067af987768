# %% [markdown]
# ## 8. Training a student by distillation (7 points)
#
# The loss is only useful inside a training loop. `train_with_distillation`
# runs minibatch stochastic gradient descent on the student:
#
# 1. draw a random order of the examples from `np.random.default_rng(seed)`,
# 2. for each minibatch: forward the student and the (frozen) teacher, get the
#    loss and `kd.distillation_grad`, call `student.backward(grad)`, then
#    update every parameter in place: `p.data -= learning_rate * p.grad`,
# 3. record the mean loss over the epoch.
#
# `SimpleModel.backward` runs each layer's `backward`, which fills the
# `.grad` of its parameters. The teacher never changes.

# %% nbgrader={"grade": false, "grade_id": "train_with_distillation", "locked": false, "schema_version": 3, "solution": true, "task": false}
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    """Train kd.student_model in place by minibatch SGD on kd's distillation loss.

    Use kd.distillation_loss and kd.distillation_grad for the loss and its
    gradient. The teacher is frozen. Returns a list with the mean loss of each
    epoch. The same seed gives the same result.
    """
    ### BEGIN SOLUTION
    X = inputs.data if isinstance(inputs, Tensor) else np.asarray(inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    student = kd.student_model
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        total, seen = 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            logits = student.forward(Tensor(X[batch])).data
            total += kd.distillation_loss(logits, teacher_logits[batch], y[batch]) * len(batch)
            seen += len(batch)
            student.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))
            for param in student.parameters():
                param.data -= learning_rate * param.grad
        history.append(total / seen)
    return history
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_visible", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
class _MatchTheTeacher:
    """A stand-in for a KnowledgeDistillation object with a simpler objective:
    half the mean squared distance between student and teacher logits. This
    test checks the training loop alone, whatever the state of your class."""

    def __init__(self, teacher_model, student_model):
        self.teacher_model, self.student_model = teacher_model, student_model
        self.temperature, self.alpha = 1.0, 1.0

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        gap = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64) - np.asarray(getattr(teacher_logits, "data", teacher_logits))
        return float(0.5 * np.sum(gap**2) / len(gap))

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        gap = np.asarray(getattr(student_logits, "data", student_logits), dtype=np.float64) - np.asarray(getattr(teacher_logits, "data", teacher_logits))
        return gap / len(gap)


np.random.seed(4)
_X = np.random.default_rng(4).standard_normal((64, 6)).astype(np.float32)
_y = (_X[:, 0] + _X[:, 1] > 0).astype(int)
_teacher = SimpleModel(Linear(6, 2))
_teacher.layers[0].weight.data = np.stack([np.r_[3.0, 3.0, 0, 0, 0, 0], np.r_[-3.0, -3.0, 0, 0, 0, 0]], axis=1)
_teacher_weights = _teacher.layers[0].weight.data.copy()
_student = SimpleModel(Linear(6, 2))
_objective = _MatchTheTeacher(_teacher, _student)
_distance_before = _objective.distillation_loss(_student(Tensor(_X)).data, _teacher(Tensor(_X)).data, _y)
_history = train_with_distillation(_objective, _X.copy(), _y.copy(), epochs=10, learning_rate=0.5, batch_size=16)
assert len(_history) == 10 and all(np.isfinite(_history)), _history
assert _history[-1] < _history[0], "the loss goes down"
assert np.array_equal(_teacher.layers[0].weight.data, _teacher_weights), "the teacher is frozen"
assert [p.shape for p in _student.parameters()] == [(6, 2), (2,)], "train the student's own layer in place"
_distance_after = _objective.distillation_loss(_student(Tensor(_X)).data, _teacher(Tensor(_X)).data, _y)
assert _distance_after < _distance_before, f"the trained student must be closer to the teacher: {_distance_before:.3f} -> {_distance_after:.3f}"
print(f"loss {_history[0]:.3f} -> {_history[-1]:.3f}; train_with_distillation: visible tests passed")

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_learns", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: a student learns a teacher's task; one float per epoch; the teacher is frozen.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(61)
_X = _rng.standard_normal((120, 5)).astype(np.float32)
_teacher = _model_of([5, 8, 3], seed=62)
_y = np.argmax(_teacher.forward(Tensor(_X)).data, axis=1)
_student = _model_of([5, 3], seed=63)
_teacher_before = _snapshot(_teacher)
_student_params = _student.parameters()
_history = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=15, learning_rate=0.2,
                                   batch_size=20, seed=1)
assert len(_history) == 15 and all(isinstance(float(h), float) and np.isfinite(h) for h in _history)
assert _history[-1] < 0.6 * _history[0], _history
_assert_parameters(_teacher, _teacher_before, what="the teacher (it is frozen)")
_after = _student.parameters()
assert len(_after) == len(_student_params) and all(a is b for a, b in zip(_student_params, _after)), "train the student in place"
assert _shapes(_student) == [(5, 3), (3,)], "train the student in place: its parameters keep their shapes"
_accuracy = float(np.mean(np.argmax(_student.forward(Tensor(_X)).data, axis=1) == _y))
assert _accuracy > 0.8, f"the trained student agrees with the teacher on {_accuracy:.0%} of the inputs, expected more than 80%"
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_update_rule", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: one epoch with one full batch is exactly one SGD step p -= learning_rate * grad.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(64)
_X = _rng.standard_normal((10, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 10)
_teacher = _model_of([4, 3], seed=65)
_student = _model_of([4, 6, 3], seed=66)
_expected = copy.deepcopy(_student)
_kd = _oracle_kd(_teacher, _expected, 3.0, 0.6)
_logits = _expected.forward(Tensor(_X)).data
_expected.backward(_kd.distillation_grad(_logits, _teacher.forward(Tensor(_X)).data, _y))
for _p in _expected.parameters():
    _p.data = _p.data - 0.3 * _p.grad
train_with_distillation(_oracle_kd(_teacher, _student, 3.0, 0.6), _X.copy(), _y.copy(), epochs=1, learning_rate=0.3, batch_size=64, seed=5)
_assert_parameters(_student, _snapshot(_expected), rtol=1e-5, atol=1e-5, what="the student after one full-batch epoch (one gradient step)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_deterministic", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: the same seed gives the same losses and weights; minibatches are shuffled by the seed;
# the defaults are epochs=20, learning_rate=0.1, batch_size=32, seed=0.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(67)
_X = _rng.standard_normal((50, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 50)
_teacher = _model_of([4, 3], seed=68)
_runs = []
for _seed in (7, 7, 8):
    _student = _model_of([4, 5, 3], seed=69)
    _h = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=3, learning_rate=0.1,
                                 batch_size=8, seed=_seed)
    assert _shapes(_student) == [(4, 5), (5,), (5, 3), (3,)], "train the student in place: its parameters keep their shapes"
    _runs.append((list(map(float, _h)), _snapshot(_student)))
assert len(_runs[0][0]) == 3 and _runs[0][0] == _runs[1][0], "the same seed gives the same losses"
_assert_arrays(_runs[1][1], _runs[0][1], what="the student trained twice with the same seed")
assert not all(np.array_equal(a, b) for a, b in zip(_runs[0][1], _runs[2][1])), "another seed shuffles differently"
_by_default, _spelled_out = _model_of([4, 5, 3], seed=69), _model_of([4, 5, 3], seed=69)
_h = train_with_distillation(_oracle_kd(_teacher, _by_default, 2.0, 0.5), _X.copy(), _y.copy())
_h_spelled_out = train_with_distillation(_oracle_kd(_teacher, _spelled_out, 2.0, 0.5), _X.copy(), _y.copy(),
                                         epochs=20, learning_rate=0.1, batch_size=32, seed=0)
assert len(_h) == 20, f"the default is 20 epochs, got {len(_h)} losses"
assert list(map(float, _h)) == list(map(float, _h_spelled_out)), "the defaults are epochs=20, learning_rate=0.1, batch_size=32, seed=0"
assert _shapes(_by_default) == [(4, 5), (5,), (5, 3), (3,)], "train the student in place: its parameters keep their shapes"
_assert_arrays(_snapshot(_by_default), _snapshot(_spelled_out),
               what="the student trained with the defaults (epochs=20, learning_rate=0.1, batch_size=32, seed=0)")
### END HIDDEN TESTS

# %% nbgrader={"grade": true, "grade_id": "test_train_with_distillation_history", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Hidden tests: each entry of the history is the epoch's mean loss over all examples.
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(70)
_X = _rng.standard_normal((40, 4)).astype(np.float32)
_y = _rng.integers(0, 3, 40)
_teacher, _student = _model_of([4, 3], seed=71), _model_of([4, 5, 3], seed=72)
_full = _oracle_kd_loss(_student.forward(Tensor(_X)).data, _teacher.forward(Tensor(_X)).data, _y, 2.0, 0.5)
_h = train_with_distillation(_oracle_kd(_teacher, _student, 2.0, 0.5), _X.copy(), _y.copy(), epochs=3, learning_rate=0.0,
                             batch_size=10, seed=3)
assert len(_h) == 3, _h
for _v in _h:  # learning rate 0: nothing changes, each epoch's mean is the loss over all examples
    assert_close(_v, _full, atol=1e-5, what="an epoch's mean loss")
### END HIDDEN TESTS

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_distillation", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    def small_student(seed):
        np.random.seed(seed)
        return SimpleModel(Linear(64, 16), ReLU(), Linear(16, 10))

    EPOCHS, SEEDS = 40, range(3)
    methods = {"labels only (alpha = 0)": (1.0, 0.0), "distilled (T = 4, alpha = 0.7)": (4.0, 0.7)}
    curves = {name: [] for name in methods}  # per method: one row of test accuracies per seed, one per epoch
    for seed in SEEDS:
        for name, (T, alpha) in methods.items():
            student = small_student(seed)
            kd = KnowledgeDistillation(teacher, student, temperature=T, alpha=alpha)
            row = []
            for epoch in range(EPOCHS):  # one epoch at a time, to measure the student after each
                train_with_distillation(kd, X_train[:300], y_train[:300], epochs=1, learning_rate=0.2,
                                        seed=1000 * seed + epoch)
                row.append(accuracy(student, X_test, y_test))
            curves[name].append(row)
    teacher_acc = accuracy(teacher, X_test, y_test)
    print(f"teacher: {Profiler().count_parameters(teacher):,} parameters, accuracy {teacher_acc:.3f}")
    print(f"student: {Profiler().count_parameters(small_student(0)):,} parameters, trained on 300 examples")
    for name, rows in curves.items():
        final = np.array(rows)[:, -1]
        print(f"  {name:32s} accuracy {final.mean():.3f} ± {final.std():.3f} over {len(final)} seeds "
              f"(after 10 epochs: {np.array(rows)[:, 9].mean():.3f})")

    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    epochs = np.arange(1, EPOCHS + 1)
    for name, rows in curves.items():
        rows = np.array(rows)
        line, = ax.plot(epochs, rows.mean(axis=0), label=name)
        ax.fill_between(epochs, rows.min(axis=0), rows.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.axhline(teacher_acc, color="gray", linestyle="--", label="teacher")
    ax.set(title="Learning curves of the small student (band: 3 seeds)", xlabel="epoch", ylabel="test accuracy")
    ax.legend(loc="lower right")
    plt.show()

