"""The LangChain tools the agent's model sees: schemas (registry), what each does (actions), the turn's shared state (context)."""
