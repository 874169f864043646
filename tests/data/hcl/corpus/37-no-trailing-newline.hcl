job "no-newline" {
  a = 1
  b = "x"
}