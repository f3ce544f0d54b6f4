"""Tunesmith: a local-first music agent. Describe music (or show a picture or a clip) and get a tune."""
