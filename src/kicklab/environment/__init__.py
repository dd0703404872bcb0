"""Race environment: terrain, air and drafting, heat, track geometry, barriers."""
