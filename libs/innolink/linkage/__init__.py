"""Technology -> product linkage: features, models, firm scores and their summary."""
