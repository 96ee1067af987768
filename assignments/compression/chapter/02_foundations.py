# %% [markdown]
# Two things show. The flat body of the histogram is the shape of the random
# initialisation (uniform within about ±0.14), which a short training run on
# a small dataset barely moved; the long tails are what training built, a
# minority of weights several times larger. About a third of all weights have
# `|w| < 0.05`: if the network's knowledge lives mostly in the large weights,
# the small ones should be removable at little cost. The rest of this chapter
# turns that hypothesis into savings, and measures the cost.
#
# ## 2. Foundations
#
# **Magnitude pruning.** Rank every weight of the model by `|w|` and set the
# smallest fraction `s` of them to zero. With one *global* ranking across all
# layers, a layer whose weights are all large keeps them all; a per-layer
# threshold would force every layer to lose the same fraction. With `N`
# weights in total, exactly `⌊s·N⌋` are zeroed. Sparsity is then
# `100 · (#zeros) / N` percent.
#
# **Structured pruning.** Zeroes scattered through a matrix save nothing on
# ordinary hardware: a dense matrix multiply does the same work either way.
# Removing a whole output neuron `j` (column `W[:, j]` and bias `b[j]`)
# shrinks the matrix itself. Its importance is the L2 norm
# `‖W[:, j]‖₂ = sqrt(Σᵢ W[i, j]²)`; the least important `⌊r · out⌋` go. The
# classifier head is never pruned: its outputs are the classes.
#
# **Low-rank approximation.** The singular value decomposition writes a
# matrix `W (m×n)` as `U Σ Vᵀ` with singular values `σ₁ ≥ σ₂ ≥ … ≥ 0`.
# Keeping the top `k` gives `W ≈ U_k Σ_k V_kᵀ`, stored in `k(m + n + 1)`
# numbers instead of `mn`, which pays off when `k < mn / (m + n + 1)`.
# By the Eckart–Young theorem no rank-`k` matrix is closer to `W` in the
# Frobenius norm, and the error is exactly `sqrt(σ²ₖ₊₁ + … + σ²ᵣ)`.
#
# **Knowledge distillation.** A small *student* learns from a large
# *teacher*'s full output distribution, softened by a temperature `T`:
# `p = softmax(z / T)`. At `T = 1` the teacher is nearly one-hot; at `T = 4`
# it also says *which wrong classes look similar*. The loss mixes the two
# signals with a weight `α`:
#
# `L = α · T² · KL(p_teacher^T ‖ p_student^T) + (1 − α) · CE(softmax(z_student), y)`
#
# The gradient of the soft term shrinks like `1/T²` as `T` grows; the factor
# `T²` keeps its size comparable to the hard term whatever `T` you pick
# (Hinton, Vinyals and Dean, 2015).
#
# **Quantisation.** Store each weight as a small integer `q` and recover it as
# `(q − z) · s`. With `b` bits, `q` lies in `[−2^(b−1), 2^(b−1) − 1]`. The
# *scale* `s` spreads the weights' range over those levels and the
# *zero point* `z` is the integer that stands for 0.0, so that zero is
# represented exactly (pruned weights stay pruned). Going from 32-bit floats
# to 8-bit integers saves 75% of the memory; each weight moves by at most
# `s / 2`.

