"""ABC collections → exemplar records with labels, and the index of the exemplar library."""
