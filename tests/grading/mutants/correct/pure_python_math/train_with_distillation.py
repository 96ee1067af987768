"""Shuffled index lists from the seeded generator, batches as list slices, math.fsum of per-example losses."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    n = len(X)
    teacher_logits = kd.teacher_model(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for _epoch in range(epochs):
        order = rng.permutation(n).tolist()
        batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
        contributions = []
        for batch in batches:
            logits = kd.student_model(Tensor(X[batch])).data
            contributions.append(float(kd.distillation_loss(logits, teacher_logits[batch], y[batch])) * len(batch))
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[batch], y[batch]))
            for param in kd.student_model.parameters():
                param.data = param.data - learning_rate * param.grad
        history.append(math.fsum(contributions) / n)
    return history
