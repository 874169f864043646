# null inside template text: hcl2json prints the word.
alone      = "${null}"
in_text    = "value: ${null}"
in_heredoc = <<EOT
${null} and ${true}
EOT
in_directive = "%{if a}${null}%{endif}"
null_key = { (null) = 1 }
