"""tqdm progress bars over epochs and minibatches (stderr), a print per epoch with the mean loss."""
from tqdm.auto import tqdm


def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    X = np.asarray(inputs.data if isinstance(inputs, Tensor) else inputs, dtype=np.float32)
    y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    print(f"[train] {len(X)} examples, {epochs} epochs, lr={learning_rate}, batch_size={batch_size}, seed={seed}")
    teacher_logits = kd.teacher_model.forward(Tensor(X)).data
    rng = np.random.default_rng(seed)
    history = []
    for epoch in tqdm(range(epochs), desc="epochs"):
        order = rng.permutation(len(X))
        total = 0.0
        starts = range(0, len(X), batch_size)
        for start in tqdm(starts, desc=f"epoch {epoch + 1}", leave=False):
            idx = order[start:start + batch_size]
            logits = kd.student_model.forward(Tensor(X[idx])).data
            total += kd.distillation_loss(logits, teacher_logits[idx], y[idx]) * len(idx)
            kd.student_model.backward(kd.distillation_grad(logits, teacher_logits[idx], y[idx]))
            for p in kd.student_model.parameters():
                p.data -= learning_rate * p.grad
        history.append(total / len(X))
        print(f"[train] epoch {epoch + 1}/{epochs}: mean loss {history[-1]:.5f}")
    return history
