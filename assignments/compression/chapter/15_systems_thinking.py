# %% [markdown]
# ## 15. ML systems thinking (16 points: 5 autograded, 11 written)
#
# Numbers first (autograded: assign the variables), reasoning after
# (graded by your instructor: a few precise sentences beat a page).
#
# ### Question 1: what pruning buys (3 points: 1 autograded, 2 written)
#
# Magnitude pruning removes 90% of the weights of a 10-million-parameter
# float32 model (40 MB).
#
# * `q1_active_millions`: how many parameters remain nonzero, in millions?
# * `q1_values_mb`: how many MB do the surviving float32 *values* take
#   (ignoring whatever a sparse format needs to store their positions)?

# %% nbgrader={"grade": false, "grade_id": "answers_q1", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q1_active_millions = 1.0
q1_values_mb = 4.0
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q1", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q1 = answer("q1_active_millions"), answer("q1_values_mb")
assert all(isinstance(v, (int, float)) for v in _q1), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert abs(_q1[0] - 1.0) < 1e-6 and abs(_q1[1] - 4.0) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Q1 (reasoning).** Why does a 90%-sparse model usually run far less than
# 10× faster, and take more than 4 MB, on a CPU or GPU?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q1_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Dense kernels do the same multiply-adds whether a weight is
# zero or not, so unstructured zeros save no time unless a sparse kernel is
# used. Sparse formats (CSR, COO) must store an index per surviving value
# (e.g. 4 more bytes per value, so about 8 MB instead of 4 MB), and their
# irregular memory access defeats caches and SIMD; at 90% sparsity a sparse
# kernel typically wins only 1.5-3×, and only on large matrices.
#
# **Rubric (2 points).** 1 point: dense hardware/kernels skip no work for
# zeros (or: a sparse kernel is needed). 1 point: index/metadata overhead or
# irregular memory access (cache, SIMD, load balance). No point for "pruning
# hurts accuracy" alone.
# ### END SOLUTION

# %% [markdown]
# ### Question 2: structured or unstructured? (3 points: 1 autograded, 2 written)
#
# Answer each with the string `"structured"` or `"magnitude"`:
#
# * `q2_hardware_speedup`: which kind of sparsity speeds up ordinary dense hardware?
# * `q2_accuracy_at_high_sparsity`: which keeps more accuracy at the same high sparsity?
# * `q2_regular_memory_access`: which keeps memory access regular?

# %% nbgrader={"grade": false, "grade_id": "answers_q2", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q2_hardware_speedup = "structured"
q2_accuracy_at_high_sparsity = "magnitude"
q2_regular_memory_access = "structured"
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q2", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q2 = tuple(answer(n) for n in ("q2_hardware_speedup", "q2_accuracy_at_high_sparsity", "q2_regular_memory_access"))
for _answer in _q2:
    assert _answer in ("structured", "magnitude"), f"answer with 'structured' or 'magnitude', not {_answer!r}"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert _q2 == ("structured", "magnitude", "structured")
### END HIDDEN TESTS

# %% [markdown]
# **Q2 (reasoning).** Your pruning plot compared both methods on the digits
# teacher. Explain the gap between the two curves, and name one situation in
# which you would still choose structured pruning.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q2_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Magnitude pruning removes the individually least useful
# weights anywhere in the model, so each zero costs little accuracy.
# Structured pruning must remove a whole neuron at once, including some of
# its large weights, so at the same sparsity it removes more signal. It is
# still the right choice when latency or memory on ordinary hardware matters
# (phones, CPUs without sparse kernels): the smaller dense matrices run
# faster, as the speed-up table showed, and fine-tuning can recover accuracy.
#
# **Rubric (2 points).** 1 point: a correct reason for the accuracy gap
# (granularity: whole neurons include important weights). 1 point: a
# concrete situation where structured wins (real speed-up / memory on dense
# hardware, no sparse-kernel support).
# ### END SOLUTION

# %% [markdown]
# ### Question 3: distillation's payoff (3 points: 1 autograded, 2 written)
#
# A 100M-parameter teacher and a 10M-parameter student reach the same
# accuracy. The teacher answers in 100 ms, the student in 15 ms.
#
# * `q3_compression_ratio`: teacher parameters / student parameters.
# * `q3_speedup`: teacher latency / student latency.

# %% nbgrader={"grade": false, "grade_id": "answers_q3", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q3_compression_ratio = 100 / 10
q3_speedup = 100 / 15
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q3", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
_q3 = answer("q3_compression_ratio"), answer("q3_speedup")
assert all(isinstance(v, (int, float)) for v in _q3), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert abs(_q3[0] - 10.0) < 1e-6 and abs(_q3[1] - 100 / 15) < 1e-2
### END HIDDEN TESTS

# %% [markdown]
# **Q3 (reasoning).** Why is the speed-up smaller than the compression
# ratio? What would you measure to find out where the student's time goes?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q3_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Latency is not proportional to parameter count: fixed
# costs (framework and kernel-launch overhead, data loading and
# pre-processing, memory transfers) stay the same, and a small model
# uses the hardware less efficiently (smaller matrices, lower arithmetic
# intensity, less parallelism). A profile of the forward pass per layer and
# per phase (the Profiler's latency, plus timing of input handling)
# separates compute from overhead.
#
# **Rubric (2 points).** 1 point: fixed/overhead costs or lower hardware
# utilisation of small matrices. 1 point: a sensible measurement (per-layer
# or per-phase timing, profiling, batch-size sweep).
# ### END SOLUTION

# %% [markdown]
# ### Question 4: when does a factorisation pay? (4 points: 2 autograded, 2 written)
#
# A (512, 256) weight matrix is approximated with rank 64, storing `U`,
# `S` and `V` separately.
#
# * `q4_original_params`: parameters of the dense matrix.
# * `q4_factored_params`: parameters of `U`, `S` and `V` together.
# * `q4_compression_ratio`: original / factored.
# * `q4_max_useful_rank`: the largest rank that still stores fewer numbers than the dense matrix.

# %% nbgrader={"grade": false, "grade_id": "answers_q4", "locked": false, "schema_version": 3, "solution": true, "task": false}
### BEGIN SOLUTION
q4_original_params = 512 * 256
q4_factored_params = 64 * (512 + 256 + 1)
q4_compression_ratio = q4_original_params / q4_factored_params
q4_max_useful_rank = (512 * 256 - 1) // (512 + 256 + 1)
### END SOLUTION

# %% nbgrader={"grade": true, "grade_id": "test_answers_q4", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
_q4 = tuple(answer(n) for n in ("q4_original_params", "q4_factored_params", "q4_compression_ratio", "q4_max_useful_rank"))
assert all(isinstance(v, (int, float)) for v in _q4), "answer with numbers"
# Hidden tests: the values.
### BEGIN HIDDEN TESTS
assert _q4[0] == 131072 and _q4[1] == 49216
assert abs(_q4[2] - 131072 / 49216) < 1e-3 and _q4[3] == 170
### END HIDDEN TESTS

# %% [markdown]
# **Q4 (reasoning).** Your singular-value plot compared a trained layer with a
# random one. Why can a rank-k approximation of a trained layer keep most of
# the accuracy even though it discards most of the singular values, and why
# would it save little on a small layer such as a 10-class head?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q4_reasoning", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Training adds its learned structure mostly along a few
# directions with the largest singular values (above the random-looking
# spectrum of the initialisation); the top-k keep them, and the discarded tail
# is largely initialisation noise that the network tolerates. A random matrix
# has no such dominant directions, so truncating it loses information evenly.
# The Eckart-Young error measures what is lost. For an m×n layer with
# small n (e.g. 10 outputs), k(m + n + 1) < mn needs k < n·m/(m + n + 1), a
# rank only slightly below n: little to gain and the head's outputs are
# the classes.
#
# **Rubric (2 points).** 1 point: learned structure concentrated in the top
# singular directions (energy in few directions). 1 point: the parameter break-even bound
# makes small or thin matrices poor candidates.
# ### END SOLUTION

# %% [markdown]
# ### Question 5: a deployment plan (3 points, written)
#
# A phone app needs the digits classifier (or a model 1000× larger) under a
# 50 MB limit and a 100 ms latency budget. Which techniques of this chapter
# would you combine, in which order, and why? Say which technique serves the
# memory limit and which the latency budget.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q5_strategy", "locked": false, "points": 3, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# **Model answer.** Start from the architecture: distil into a smaller dense
# student (largest, most predictable gain for both memory and latency).
# Then structured pruning / neuron removal or low-rank factorisation of the
# large layers, with fine-tuning, to cut latency on dense hardware. Finally
# quantise to int8 (4× less memory, faster integer kernels on phones), after
# the structural changes, since quantising first would have to be redone.
# Unstructured magnitude pruning helps memory only with a sparse format and
# rarely helps latency on a phone.
#
# **Rubric (3 points).** 1 point: a sensible order with a reason (structure
# changes before quantisation; distillation/pruning before fine-tuning).
# 1 point: memory served by quantisation (and/or sparse storage).
# 1 point: latency served by structured pruning, factorisation or a
# smaller student, with the caveat that unstructured sparsity does not
# speed up dense hardware.
# ### END SOLUTION

