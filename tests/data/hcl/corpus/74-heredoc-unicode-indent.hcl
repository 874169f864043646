em_spaces = <<-EOT
  Foo
 Bar
EOT
nbsp = <<-EOT
  a
 b
  EOT
mixed_tab_space = <<-EOT
	  a
  	b
  EOT
