"""Similarity across the class: which students share code or written answers beyond what the release gave them.

``course similarity`` (``report.similarity``) fingerprints each collected
submission once (``fingerprints``: winnowed k-grams of normalised code and
prose), per function and per written answer (``parts``), minus everything
in the release; indexes the fingerprints (``index``) and scores every pair
from the index; shows the ranked pairs in the terminal and as JSON
(``report``) and side by side in an HTML page (``html_report``). Nothing
here knows an assignment: the course folder and the release say what there
is. The package imports nothing itself, so that fingerprinting alone needs
only numpy.
"""
