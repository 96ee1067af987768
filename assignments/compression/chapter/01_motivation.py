# %% [markdown]
# ## 1. Motivation: what a trained network's weights look like
#
# The folder of this assignment ships `digits_teacher.npz`: a three-layer
# perceptron (64 → 256 → 128 → 10, about 50 000 parameters) trained on
# scikit-learn's bundled 8×8 handwritten digits. It is our *teacher*
# throughout: the model we will prune, factorise, quantise and distil.
# The helpers below load the data (a fixed train/test split) and the teacher,
# and measure accuracy.

# %% nbgrader={"grade": false, "grade_id": "digits_helpers", "locked": true, "schema_version": 3, "solution": false, "task": false}
TEACHER_FILE = "digits_teacher.npz"


def load_digits_split(test_fraction=0.25, seed=0):
    """Digits scaled to [0, 1], split once with a fixed seed: (X_train, y_train, X_test, y_test)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = (digits.data / 16.0).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], digits.target[train], X[test], digits.target[test]


def load_teacher(path=TEACHER_FILE):
    """The trained teacher as a SimpleModel of Linear and ReLU layers."""
    arrays = np.load(path)
    layers = []
    n_layers = len(arrays.files) // 2
    for i in range(n_layers):
        weight = arrays[f"W{i}"]
        layer = Linear(*weight.shape)
        layer.weight.data = weight
        layer.bias.data = arrays[f"b{i}"]
        layers.append(layer)
        if i < n_layers - 1:
            layers.append(ReLU())
    return SimpleModel(*layers)


def accuracy(model, X, y):
    """Fraction of rows of X whose arg-max logit is the label."""
    return float(np.mean(np.argmax(model.forward(Tensor(X)).data, axis=1) == y))


# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_motivation", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    import matplotlib.pyplot as plt
    from threadpoolctl import threadpool_limits

    plt.rcParams.update({"figure.dpi": 100, "font.size": 10})  # sized for the notebook's width
    # Matrices this small run best on one thread: on a shared machine, BLAS
    # threads that wait for each other's turn on a busy core cost more than
    # they gain. One thread also makes the times below the work of this process.
    threadpool_limits(limits=1)

    def cpu_ms(models, x, repeats=15):
        """For each model, the CPU milliseconds of its fastest of `repeats` forward passes, after a warm-up.

        On a shared machine the wall clock also counts the time other programs
        hold the core. The CPU time of this one thread (numpy's BLAS is held to
        one thread above, so all the work is done here) counts only the
        models' own work, and the fastest pass is the one least disturbed by
        others. The models take turns, so a busy moment slows all of them alike.
        """
        timings = [[] for _ in models]
        for model in models:
            model.forward(x)
        for _ in range(repeats):
            for model, times in zip(models, timings):
                start = time.thread_time()
                model.forward(x)
                times.append(time.thread_time() - start)
        return [1000 * min(times) for times in timings]

    def multiply_adds(model):
        """Multiply-adds of one forward pass per input row: the work itself, the same on any machine."""
        work = 0
        for layer in model.layers:
            if isinstance(layer, LowRankLinear):
                work += layer.first.data.size + layer.second.data.size
            elif isinstance(layer, Linear):
                work += layer.weight.data.size
        return work

    X_train, y_train, X_test, y_test = load_digits_split()
    teacher = load_teacher()
    stats = analyze_weight_distribution(teacher, percentiles=(10, 25, 50, 75, 90))
    print(f"teacher: {Profiler().count_parameters(teacher):,} parameters, "
          f"test accuracy {accuracy(teacher, X_test, y_test):.3f}")
    print(f"|w| percentiles: " + ", ".join(f"p{p}={v:.4f}" for p, v in stats["percentiles"].items()))
    all_w = np.concatenate([p.data.ravel() for p in teacher.parameters() if p.ndim >= 2])
    for cut in (0.01, 0.05, 0.1):
        print(f"weights with |w| < {cut}: {np.mean(np.abs(all_w) < cut):.1%}")

    fig, ax = plt.subplots(figsize=(7, 3))
    ax.hist(all_w, bins=120, color="tab:blue", log=True)
    ax.set(title="Weights of the trained digits teacher", xlabel="weight value", ylabel="count (log scale)")
    plt.show()

