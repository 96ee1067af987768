"""Reuses as_array from the first cell; defines minibatches(), a generator helper, for the loop."""
def minibatches(n, batch_size, rng):
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X, y = as_array(inputs, np.float32), as_array(labels)
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        total = 0.0
        for batch in minibatches(len(X), batch_size, rng):
            logits = kd.student_model.forward(Tensor(X[batch])).data
            total += kd.distillation_loss(logits, teacher_logits[batch], y[batch]) * len(batch)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))
            for p in kd.student_model.parameters():
                p.data -= learning_rate * p.grad
        history.append(total / len(X))
    return history
