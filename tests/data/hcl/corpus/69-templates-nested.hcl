inner_template = "${"a-${b}-c"}"
double_nested  = "x${"y${"z${w}"}"}"
call_with_tmpl = "${format("%s:%d", "${host}", port)}"
directive_in_interp = "${"%{if a}x%{endif}"}"
heredoc_in_interp = "${trimspace(<<EOT
  value ${x}
EOT
)}"
for_over_call = "%{for k in keys({ a = 1, b = 2 })}${k}%{endfor}"
object_in_interp = "${{ a = 1 }.a}"
tuple_in_interp = "${[1, 2][0]}"
