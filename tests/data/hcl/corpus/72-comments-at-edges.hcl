job "x" { # after the brace
  a = 1 /* multi
  line */
  b { c = 1 } # after a one-line block
} // after the closing brace
last = <<EOT
the marker line ends the file
EOT
