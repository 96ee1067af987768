"""Shuffles by argsort of seeded uniform keys, epoch mean as np.dot(losses, sizes) / n."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    n = X.shape[0]
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = np.argsort(rng.random(n), kind="stable")
        losses, sizes = [], []
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits = kd.student_model.forward(Tensor(X[idx])).data
            losses.append(kd.distillation_loss(logits, teacher_logits[idx], y[idx]))
            sizes.append(idx.size)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[idx], y[idx]))
            for p in kd.student_model.parameters():
                p.data -= learning_rate * p.grad
        history.append(float(np.dot(losses, sizes) / n))
    return history
