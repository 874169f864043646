job "crlf" {
  datacenters = ["dc1"]
  # a comment
  meta = {
    a = "1"
    b = "2"
  }
  text = <<EOT
line one
line two
EOT
  indented = <<-EOT
    x
      y
    EOT
  list = [
    1,
    2,
  ]
  group "g" {
    count = 1
  }
}
