"""Everything that persists: the exemplar library, generations, sessions, safe file writes."""
