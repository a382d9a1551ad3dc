"""state layer; see ARCHITECTURE (shared/design)."""
