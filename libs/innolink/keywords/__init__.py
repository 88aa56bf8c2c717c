"""Stage `keywords`: product and service keywords of firms' pages, patent text and vectors.

Spark NLP pipelines per language (rule-based and trainable annotators only): segment.py
(Japanese and Chinese words), pipeline.py (the annotators), transforms.py (documents in,
keywords out), vocabulary.py (conf/mappings/stopwords.yaml), evaluate.py (precision on
labelled pages), stage.py.
"""
