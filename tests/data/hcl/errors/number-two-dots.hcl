ok = 1.5
bad = 1.2.3
