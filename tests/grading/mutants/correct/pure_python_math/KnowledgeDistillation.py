"""Python lists of rows, math.exp/math.log with the max subtracted, math.fsum for every sum, a float() result."""
class KnowledgeDistillation:
    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        if not temperature > 0:
            raise ValueError("temperature has to be positive")
        if not (0.0 <= alpha <= 1.0):
            raise ValueError("alpha has to be in [0, 1]")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = temperature
        self.alpha = alpha

    @staticmethod
    def _lists(x):
        return np.asarray(x.data if isinstance(x, Tensor) else x, dtype=float).tolist()

    @staticmethod
    def _log_softmax(row):
        top = max(row)
        log_z = top + math.log(math.fsum(math.exp(v - top) for v in row))
        return [v - log_z for v in row]

    def _label_rows(self, labels, n_classes):
        y = np.asarray(labels.data if isinstance(labels, Tensor) else labels).tolist()
        if y and isinstance(y[0], list):
            return [[float(v) for v in row] for row in y]
        return [[1.0 if c == int(label) else 0.0 for c in range(n_classes)] for label in y]

    def _pieces(self, student_logits, teacher_logits, true_labels):
        s, t = self._lists(student_logits), self._lists(teacher_logits)
        y = self._label_rows(true_labels, len(s[0]))
        T = self.temperature
        log_q = [self._log_softmax([v / T for v in row]) for row in s]
        log_p = [self._log_softmax([v / T for v in row]) for row in t]
        log_hard = [self._log_softmax(row) for row in s]
        return s, y, log_q, log_p, log_hard

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        s, y, log_q, log_p, log_hard = self._pieces(student_logits, teacher_logits, true_labels)
        T, batch = self.temperature, len(s)
        kl = math.fsum(math.exp(lp) * (lp - lq) for rp, rq in zip(log_p, log_q) for lp, lq in zip(rp, rq)) / batch
        ce = -math.fsum(yc * lc for ry, rl in zip(y, log_hard) for yc, lc in zip(ry, rl)) / batch
        return float(self.alpha * T ** 2 * kl + (1 - self.alpha) * ce)

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        s, y, log_q, log_p, log_hard = self._pieces(student_logits, teacher_logits, true_labels)
        T, a, batch = self.temperature, self.alpha, len(s)
        grad = [
            [(a * T * (math.exp(lq) - math.exp(lp)) + (1 - a) * (math.exp(lh) - yc)) / batch
             for lq, lp, lh, yc in zip(rq, rp, rh, ry)]
            for rq, rp, rh, ry in zip(log_q, log_p, log_hard, y)
        ]
        return np.array(grad)
