"""Log-softmax computed in one work buffer with np.subtract/np.exp/np.log(..., out=); the gradient built in place."""
class KnowledgeDistillation:
    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = temperature
        self.alpha = alpha

    @staticmethod
    def _log_softmax(z, scale=1.0):
        out = np.empty(z.shape, dtype=np.float64)
        np.divide(z, scale, out=out)
        np.subtract(out, out.max(axis=1, keepdims=True), out=out)
        norm = np.empty((z.shape[0], 1))
        np.sum(np.exp(out), axis=1, keepdims=True, out=norm)
        np.log(norm, out=norm)
        np.subtract(out, norm, out=out)
        return out

    @staticmethod
    def _prepare(student_logits, teacher_logits, true_labels):
        s = np.array(getattr(student_logits, "data", student_logits), dtype=np.float64)
        t = np.array(getattr(teacher_logits, "data", teacher_logits), dtype=np.float64)
        y = np.asarray(getattr(true_labels, "data", true_labels))
        target = np.zeros(s.shape)
        if y.ndim == 1:
            target[np.arange(s.shape[0]), y.astype(int)] = 1.0
        else:
            np.copyto(target, y)
        return s, t, target

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        s, t, y = self._prepare(student_logits, teacher_logits, true_labels)
        T, B = self.temperature, s.shape[0]
        log_p = self._log_softmax(t, T)
        diff = self._log_softmax(s, T)
        np.subtract(log_p, diff, out=diff)
        np.multiply(diff, np.exp(log_p), out=diff)
        ce = self._log_softmax(s)
        np.multiply(ce, y, out=ce)
        return float(self.alpha * T**2 * diff.sum() / B - (1 - self.alpha) * ce.sum() / B)

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        s, t, y = self._prepare(student_logits, teacher_logits, true_labels)
        T, B = self.temperature, s.shape[0]
        soft = np.exp(self._log_softmax(s, T))
        np.subtract(soft, np.exp(self._log_softmax(t, T)), out=soft)
        hard = np.exp(self._log_softmax(s))
        np.subtract(hard, y, out=hard)
        grad = np.empty(s.shape)
        np.multiply(soft, self.alpha * T / B, out=grad)
        grad += (1 - self.alpha) / B * hard
        return grad
