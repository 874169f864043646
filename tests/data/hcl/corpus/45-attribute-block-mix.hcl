name = "mixed"
block {
  attr = 1
  inner {
    attr = 2
  }
  after = 3
}
between = true
block {
  attr = 4
}
tail = [1]
