"""flows layer; see ARCHITECTURE (shared/design)."""
