# "$${" and "%%{" escape the introducers; tmccombs/hcl2json keeps them escaped.
literal_interp    = "$${not_interpolated}"
literal_directive = "%%{not_a_directive}"
both              = "$${a} and %%{b}"
mixed             = "$${a} but ${b}"
env               = "$${NOMAD_PORT_http}"
double_dollar     = "$$"
dollar_brace_mid  = "a $${b} c"
heredoc = <<EOT
$${escaped} and %%{escaped} and ${real}
EOT
