"""The firm registry stage: listed firms of every exchange, one row per firm (silver/firms)."""
