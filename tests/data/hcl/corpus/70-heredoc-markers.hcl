# Close markers: spaces before or after the marker still close the heredoc.
trailing_space_marker = <<EOT
text
EOT   
leading_space_plain = <<EOT
  kept
  EOT
deep_marker = <<-EOT
      x
          EOT
marker_prefix = <<EOT
EOTX
XEOT
EOT
tabs_indent = <<-EOT
	x
	  y
	EOT
empty_indent = <<-EOT
    EOT
lower_marker = <<eot
text
eot
spaces_only_line = <<-EOT
    a
  
    b
    EOT
