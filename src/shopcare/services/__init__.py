"""Operations on records shared by the CLI, the importers and the daemon (the core)."""
