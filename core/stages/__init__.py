"""Pipeline stages, one per module. The order is chosen at the composition root (bots/)."""
