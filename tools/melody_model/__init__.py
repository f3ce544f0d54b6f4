"""A melody model trained on music21's folk-tune corpus: tokens, network, constrained sampling, infilling,
likelihood for the critic, and self-refinement. Heavy imports (torch) happen inside the functions that need them.
"""
