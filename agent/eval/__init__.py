"""Evaluation: suites of requests run through the real agent, measured, reported; nothing else in agent/ imports it."""
