plain = <<EOT
first line
second line
EOT
indented_kept = <<EOT
    four spaces
  two spaces
EOT
empty = <<EOT
EOT
other_marker = <<END_OF_TEXT
text with EOT inside
 EOT (not alone)
END_OF_TEXT
quotes = <<EOT
"double" and 'single' and \n stays literal
EOT
blank_lines = <<EOT

middle

EOT
