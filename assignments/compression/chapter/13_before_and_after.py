# %% [markdown]
# The zeroed model does all of the dense work for neurons that output zero;
# the physically pruned one skips it. Each time is the CPU time of the
# fastest of 15 passes on one thread, after a warm-up: on a shared machine
# the wall clock also counts the time other programs hold the core. Halving
# the neurons or more always saves time, and the speed-up grows as fewer
# neurons are kept; how close it comes to the ratio of multiply-adds depends
# on the machine and on what else runs on it. With a tenth of the neurons it
# falls well behind that ratio: a small layer still pays the fixed cost of
# each call, and the head still writes its output for 9 000 digits.
#
# Down to keeping half of the neurons the two models have the same accuracy;
# at a quarter and a tenth they differ by more than ten points, one way at a
# quarter and the other way at a tenth. The reason is worth noticing:
# `physically_pruned` ranks the second hidden layer *after* the first removal
# has deleted some of its input rows, while `structured_prune` ranks both
# layers on the original weights, so the two pick different neurons in the
# second layer once many go. For the same choice of neurons the outputs are
# identical, which is what the tests of `prune_layer_neurons` check.
#
# ## 13. Before and after, with the Profiler
#
# Finally, the whole story in one table: the dense teacher, the same teacher
# after 80% magnitude pruning (zeros, same shapes), after physical neuron
# removal, and after low-rank factorisation of its hidden layers.

# %% tags=["analysis"] nbgrader={"grade": false, "grade_id": "analysis_profiler", "locked": true, "schema_version": 3, "solution": false, "task": false}
if RUN_ANALYSES:
    profiler = Profiler()
    candidates = {
        "dense teacher": teacher,
        "magnitude 80%": magnitude_prune(copy.deepcopy(teacher), 0.8),
        "neurons kept 30%": physically_pruned(teacher, 0.3),
    }
    low_rank_teacher = copy.deepcopy(teacher)
    compress_model(low_rank_teacher, {"low_rank": 0.2})
    candidates["low rank 0.2"] = low_rank_teacher
    print(f"{'model':>17} | {'params':>7} | {'nonzero':>7} | {'memory MB':>9} | {'mult-adds':>9} | "
          f"{'CPU ms':>9} | accuracy")
    for (name, model), ms in zip(candidates.items(), cpu_ms(list(candidates.values()), batch)):
        memory = profiler.measure_memory(model, batch.shape)["parameter_memory_mb"]
        counts = CompressionMetrics.count_parameters(model)
        print(f"{name:>17} | {counts['total_parameters']:7,} | {counts['nonzero_parameters']:7,} | {memory:9.3f} | "
              f"{multiply_adds(model):9,} | {ms:9.2f} | {accuracy(model, X_test, y_test):.3f}")

