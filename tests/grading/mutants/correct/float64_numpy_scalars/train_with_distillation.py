"""float64 inputs and teacher logits, the epoch means kept as np.float64 in the returned list."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float64)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    teacher_logits = np.asarray(kd.teacher_model.forward(Tensor(X)).data, dtype=np.float64)
    rng = np.random.default_rng(seed)
    lr = np.float64(learning_rate)
    history = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        weighted = np.float64(0.0)
        for start in range(0, X.shape[0], batch_size):
            idx = order[start:start + batch_size]
            logits = kd.student_model.forward(Tensor(X[idx])).data
            weighted += np.float64(kd.distillation_loss(logits, teacher_logits[idx], y[idx])) * np.float64(idx.size)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[idx], y[idx]))
            for p in kd.student_model.parameters():
                p.data -= lr * p.grad
        history.append(weighted / np.float64(X.shape[0]))
    return history
