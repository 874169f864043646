ok = "fine"
bad = "x\qy"
