"""A _FlatIndex helper class maps global positions to layers; keeps model.pruning_mask, a temporary attribute is deleted after use."""
class _FlatIndex:
    """Global positions over several arrays, and back."""

    def __init__(self, tensors):
        self.tensors = tensors
        self.offsets = np.cumsum([0] + [t.size for t in tensors])

    @property
    def size(self):
        return int(self.offsets[-1])

    def gather_abs(self):
        if not self.tensors:
            return np.zeros(0)
        return np.concatenate([np.abs(t.data).ravel() for t in self.tensors])

    def split(self, flat):
        return [flat[a:b].reshape(t.shape) for t, a, b in zip(self.tensors, self.offsets[:-1], self.offsets[1:])]


def magnitude_prune(model, sparsity=0.9):
    if not (0 <= sparsity <= 1):
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    index = _FlatIndex([p for p in model.parameters() if p.ndim >= 2])
    model._magnitudes = index.gather_abs()  # scratch space while pruning
    n_prune = math.floor(sparsity * index.size)
    chosen = np.zeros(index.size, dtype=bool)
    chosen[np.argsort(model._magnitudes, kind="stable")[:n_prune]] = True
    del model._magnitudes
    masks = index.split(chosen)
    for tensor, mask in zip(index.tensors, masks):
        tensor.data[mask] = 0.0
    model.pruning_mask = [~mask for mask in masks]  # True where a weight survives
    return model
