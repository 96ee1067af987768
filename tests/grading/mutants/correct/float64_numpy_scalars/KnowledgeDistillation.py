"""float64 everywhere, hyper-parameters stored as np.float64, the loss returned as np.float64 (a float subclass)."""
class KnowledgeDistillation:
    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        if not np.float64(temperature) > 0:
            raise ValueError("temperature must be positive")
        if not np.float64(0) <= np.float64(alpha) <= np.float64(1):
            raise ValueError("alpha must lie in [0, 1]")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = np.float64(temperature)
        self.alpha = np.float64(alpha)

    @staticmethod
    def _f64(x):
        return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)

    @staticmethod
    def _log_softmax(z):
        m = np.max(z, axis=1, keepdims=True)
        return z - m - np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))

    def _targets(self, labels, classes):
        y = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if y.ndim == 1:
            return np.eye(classes, dtype=np.float64)[y.astype(np.int64)]
        return y.astype(np.float64)

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        s, t = self._f64(student_logits), self._f64(teacher_logits)
        y = self._targets(true_labels, s.shape[1])
        T, a, B = self.temperature, self.alpha, np.float64(s.shape[0])
        log_pt = self._log_softmax(t / T)
        kl = np.sum(np.exp(log_pt) * (log_pt - self._log_softmax(s / T))) / B
        ce = -np.sum(y * self._log_softmax(s)) / B
        return np.float64(a * T * T * kl + (np.float64(1) - a) * ce)

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        s, t = self._f64(student_logits), self._f64(teacher_logits)
        y = self._targets(true_labels, s.shape[1])
        T, a, B = self.temperature, self.alpha, np.float64(s.shape[0])
        soft = np.exp(self._log_softmax(s / T)) - np.exp(self._log_softmax(t / T))
        hard = np.exp(self._log_softmax(s)) - y
        return (a * T * soft + (np.float64(1) - a) * hard) / B
