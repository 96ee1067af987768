"""Teacher logits once up front, explicit index lists per batch, a running sum for the epoch mean."""
def train_with_distillation(kd, inputs, labels, epochs=20, learning_rate=0.1, batch_size=32, seed=0):
    if isinstance(inputs, Tensor):
        inputs = inputs.data
    X = np.array(inputs, dtype=np.float32)
    y = np.array(labels)
    teacher_logits = kd.teacher_model(Tensor(X)).data
    generator = np.random.default_rng(seed)
    losses = []
    for epoch in range(epochs):
        indices = list(range(len(X)))
        generator.shuffle(indices)
        epoch_total = 0.0
        for start in range(0, len(indices), batch_size):
            batch = indices[start:start + batch_size]
            student_logits = kd.student_model(Tensor(X[batch])).data
            loss = kd.distillation_loss(student_logits, teacher_logits[batch], y[batch])
            epoch_total += loss * len(batch)
            grad = kd.distillation_grad(student_logits, teacher_logits[batch], y[batch])
            kd.student_model.backward(grad)
            for parameter in kd.student_model.parameters():
                parameter.data = parameter.data - learning_rate * parameter.grad
        losses.append(epoch_total / len(indices))
    return losses
