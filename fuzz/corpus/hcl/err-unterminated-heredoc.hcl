job "x" {
  data = <<EOT
text
  more
