"""Edit requests ("slower, in minor") → edit operations → a new tune through the ABC core."""
