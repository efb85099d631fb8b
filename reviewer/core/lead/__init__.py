"""The team lead's side: enrolled keys, imported submissions, agreement, gold, datasets.

Nothing here imports Qt. ``roster`` (enrolled annotator keys), ``merge``
(bundles into the workspace, one transaction each run), ``spans`` and
``agreement`` (the statistics), ``disagreements`` (where annotators differ),
``gold`` (adjudicated decisions), ``dataset`` (exports) and ``dashboard``
(per-annotator figures).
"""
