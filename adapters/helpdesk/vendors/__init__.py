"""One preset per vendor."""
