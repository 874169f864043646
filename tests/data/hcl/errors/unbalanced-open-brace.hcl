job "x" {
  a = {
    b = 1
}
