"""Updates every parameter with np.subtract(p.data, step, out=p.data); losses in a preallocated np.zeros(epochs) array."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    n = len(X)
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    epoch_losses = np.zeros(epochs)
    order = np.arange(n)
    for epoch in range(epochs):
        np.copyto(order, rng.permutation(n))
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            logits = kd.student_model.forward(Tensor(X[idx])).data
            epoch_losses[epoch] += kd.distillation_loss(logits, teacher_logits[idx], y[idx]) * len(idx)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[idx], y[idx]))
            for p in kd.student_model.parameters():
                step = np.multiply(p.grad, learning_rate)
                np.subtract(p.data, step, out=p.data, casting="same_kind")
    np.divide(epoch_losses, n, out=epoch_losses)
    return epoch_losses.tolist()
