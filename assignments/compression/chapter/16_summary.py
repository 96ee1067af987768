# %% [markdown]
# ## Summary
#
# * **Sparsity is a measurement before it is a goal.** Count zeros over weight
#   matrices only, and report percentages.
# * **Magnitude pruning** with one global ranking and an exact count keeps
#   accuracy best per removed weight, but saves neither time nor dense memory.
# * **Structured pruning** costs more accuracy per zero and pays it back in
#   smaller dense matrices: removing neurons gives a real speed-up with
#   identical predictions.
# * **Low-rank factorisation** keeps the few dominant directions that training
#   adds to a layer; it pays only below the break-even rank `mn / (m + n + 1)`.
# * **Distillation** transfers a teacher's soft knowledge; `T²` keeps the soft
#   term's gradient on the scale of the hard term, and log-space arithmetic
#   keeps the loss exact.
# * **Quantisation** to int8 saves 75% of the memory for an error of at most
#   half a quantisation step; the zero point keeps zeros exact, and the
#   arithmetic must be widened before subtracting it.
#
# Compression is a trade between size, speed and accuracy, and only
# measurement on the real model and the real hardware tells which trade is good.
