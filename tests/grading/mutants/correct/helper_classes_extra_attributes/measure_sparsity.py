"""A small _ZeroCounter helper class that accumulates zeros and totals, one add() per weight matrix."""
class _ZeroCounter:
    def __init__(self):
        self.zeros = 0
        self.total = 0

    def add(self, array):
        self.zeros += int(np.count_nonzero(array == 0))
        self.total += int(array.size)

    def percent(self):
        return 100.0 * self.zeros / self.total if self.total else 0.0


def measure_sparsity(model):
    counter = _ZeroCounter()
    for p in model.parameters():
        if p.ndim >= 2:
            counter.add(p.data)
    return counter.percent()
