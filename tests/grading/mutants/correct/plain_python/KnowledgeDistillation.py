"""Row-by-row Python loops with math.exp/math.log, a hand-written log-sum-exp and one-hot rows built in a loop."""
class KnowledgeDistillation:
    def __init__(self, teacher_model, student_model, temperature=3.0, alpha=0.7):
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        if alpha < 0 or alpha > 1:
            raise ValueError("alpha must be between 0 and 1")
        self.teacher_model = teacher_model
        self.student_model = student_model
        self.temperature = temperature
        self.alpha = alpha

    @staticmethod
    def _rows(x):
        if isinstance(x, Tensor):
            x = x.data
        return [[float(v) for v in row] for row in np.asarray(x)]

    @staticmethod
    def _log_softmax(row):
        top = max(row)
        log_total = top + math.log(sum(math.exp(v - top) for v in row))
        return [v - log_total for v in row]

    def _targets(self, labels, n_classes):
        if isinstance(labels, Tensor):
            labels = labels.data
        labels = np.asarray(labels)
        if labels.ndim == 2:
            return self._rows(labels)
        targets = []
        for label in labels:
            row = [0.0] * n_classes
            row[int(label)] = 1.0
            targets.append(row)
        return targets

    def distillation_loss(self, student_logits, teacher_logits, true_labels):
        s, t = self._rows(student_logits), self._rows(teacher_logits)
        y = self._targets(true_labels, len(s[0]))
        T = self.temperature
        kl = 0.0
        ce = 0.0
        for s_row, t_row, y_row in zip(s, t, y):
            log_ps = self._log_softmax([v / T for v in s_row])
            log_pt = self._log_softmax([v / T for v in t_row])
            log_p = self._log_softmax(s_row)
            for c in range(len(s_row)):
                kl += math.exp(log_pt[c]) * (log_pt[c] - log_ps[c])
                ce -= y_row[c] * log_p[c]
        batch = len(s)
        return self.alpha * T * T * kl / batch + (1 - self.alpha) * ce / batch

    def distillation_grad(self, student_logits, teacher_logits, true_labels):
        s, t = self._rows(student_logits), self._rows(teacher_logits)
        y = self._targets(true_labels, len(s[0]))
        T = self.temperature
        batch = len(s)
        grad = np.zeros((batch, len(s[0])))
        for i in range(batch):
            log_ps = self._log_softmax([v / T for v in s[i]])
            log_pt = self._log_softmax([v / T for v in t[i]])
            log_p = self._log_softmax(s[i])
            for c in range(len(s[i])):
                soft = math.exp(log_ps[c]) - math.exp(log_pt[c])
                hard = math.exp(log_p[c]) - y[i][c]
                grad[i, c] = (self.alpha * T * soft + (1 - self.alpha) * hard) / batch
        return grad
