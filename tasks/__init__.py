"""tasks layer; see ARCHITECTURE (shared/design)."""
