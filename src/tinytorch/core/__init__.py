"""Core building blocks: tensors, layers and activations."""
