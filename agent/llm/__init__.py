"""Our chat-model integration: the factory (embedded llama.cpp | Ollama | OpenAI-compatible) and the embedded chat model."""
