"""Chinese text → enterprises, products, regions and their relations (issue 7).

Modules: ``inputs`` (reading, cleaning, sentence split), ``tokenizer``
(character tokens with jieba features), ``components`` (rule entities merged
with the model's), ``gazetteer`` (seed and graph name lists), ``relations``
(trigger patterns with direction), ``linking`` (entity resolution),
``pipeline`` (the extractor), ``ingest`` (graph writes), ``eval`` and
``training``. Import what you need from those modules; this package file stays
empty so that importing one piece does not load spaCy models.
"""
