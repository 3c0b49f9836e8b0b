"""好差评 and its rectification (docs/domain.md "Evaluation and supervision"): the ratings of each
service occasion, the rectification of every bad review, the appeals, the provincial system's
adapter and the figures. After `cases` in the app order: it reads the ledger, which never reads it.
"""
