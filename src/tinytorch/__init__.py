"""tinytorch: the small numpy framework the Compression assignment builds on.

Students have this package installed; it holds the given building blocks
(tensors, layers, a profiler) and never any part of a compression solution.
It depends on numpy alone so that importing it is cheap inside a kernel.
"""

__version__ = "0.1.0"
