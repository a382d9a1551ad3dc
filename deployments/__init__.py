"""deployments layer; see ARCHITECTURE (shared/design)."""
