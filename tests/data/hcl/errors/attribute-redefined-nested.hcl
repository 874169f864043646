job "x" {
  group "g" {
    count = 1
    count = 2
  }
}
