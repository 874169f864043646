# Object keys: identifiers are literal names, parentheses make expressions.
paren_ref      = { (key) = "value" }
paren_attr     = { (var.name) = 1 }
paren_template = { ("${prefix}-x") = 2 }
template_key   = { "${prefix}-y" = 3 }
number_key     = { 1 = "one", 2.5 = "two and a half" }
bool_key       = { true = "t" }
dotted_ident   = { a.b = "dotted" }
keyword_keys   = { if = 1, in = 2, endif = 3, null_key = 4 }
reordered_for  = { baz = 2, for = 1 }
quoted_for     = { "for" = 1, baz = 2 }
paren_for      = { (for) = 1 }
unicode_key    = { "ключ" = "значение", ñ = "n" }
dash_key       = { content-type = "json" }
