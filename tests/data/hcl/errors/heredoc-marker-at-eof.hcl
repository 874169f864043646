a = 1
last = <<EOT
text
EOT