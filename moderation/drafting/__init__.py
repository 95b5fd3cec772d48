"""The desk's draft of the week's 融媒·观察 column: stories and quotes proposed, never chosen.

`terms` scores one comment (pure functions), `select` picks a diverse set per story, `draft`
assembles a draft for a date range from storage, `accept` turns an editor's decisions into an
edition, `fit` learns the weights from editions already printed.
"""
