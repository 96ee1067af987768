"""Keeps the history on the kd object (kd.loss_history = [], appended per epoch, returned), a _Batches helper class yields minibatches."""
class _Batches:
    def __init__(self, n, batch_size, rng):
        self.n, self.batch_size, self.rng = n, batch_size, rng

    def __iter__(self):
        order = self.rng.permutation(self.n)
        for start in range(0, self.n, self.batch_size):
            yield order[start:start + self.batch_size]


def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(getattr(inputs, "data", inputs), dtype=np.float32)
    y = np.asarray(getattr(labels, "data", labels))
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    batches = _Batches(len(X), batch_size, np.random.default_rng(seed))
    kd.loss_history = []
    for _ in range(epochs):
        running = 0.0
        for batch in batches:
            logits = kd.student_model.forward(Tensor(X[batch])).data
            running += kd.distillation_loss(logits, teacher_logits[batch], y[batch]) * len(batch)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))
            for param in kd.student_model.parameters():
                param.data -= learning_rate * param.grad
        kd.loss_history.append(running / len(X))
    return kd.loss_history
