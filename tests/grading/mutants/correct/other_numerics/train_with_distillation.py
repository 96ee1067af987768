"""Teacher logits recomputed per minibatch, epoch loss as the batch-size-weighted np.average."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        losses, sizes = [], []
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            teacher_logits = kd.teacher_model.forward(Tensor(X[batch])).data
            logits = kd.student_model.forward(Tensor(X[batch])).data
            losses.append(kd.distillation_loss(logits, teacher_logits, y[batch]))
            sizes.append(len(batch))
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits, y[batch]))
            for param in kd.student_model.parameters():
                param.data -= learning_rate * param.grad
        history.append(float(np.average(losses, weights=sizes)))
    return history
