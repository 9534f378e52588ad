"""Platform adapters, one package per platform. Each imports `core` only."""
