# Strip markers: "~" right after the opening brace or before the closing one.
left      = "hello ${~ "world" }"
right     = "${"hello" ~}  world"
both      = "a   ${~ b ~}   c"
directive = "%{ if true ~} hello %{~ endif }"
for_strip = "%{ for x in xs ~}  ${x}  %{~ endfor }"
heredoc = <<EOT
items:
%{ for x in xs ~}
  - ${x}
%{ endfor ~}
done
EOT
no_effect = "${"hello" ~}${" world"}"
