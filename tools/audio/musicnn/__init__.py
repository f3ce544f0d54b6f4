"""musicnn music taggers without TensorFlow: TF1 checkpoint reader, torch network, tags and embeddings."""
