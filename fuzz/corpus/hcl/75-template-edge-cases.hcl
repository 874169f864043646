# Where a template stops being a single ${…} (hclsyntax's TemplateWrapExpr).
strip_only       = "${~ x ~}"
strip_space      = "  ${~ 1 ~}  "
strip_left_lit   = " ${~ true}"
two_interps      = "${""}${true}"
empty_then_num   = "${1}${""}"
dollar_run       = "$$${x}"
percent_run      = "%%%{x}"
dollar_before    = "$${x}${y}"
num_in_text      = "n=${1.50} e=${1e3} s=${0.1e-2} neg=${-2}"
bool_in_text     = "${true}/${false}"
comment_in_interp = "${a /* note */}"
hash_comment_in_interp = "${a # note
}"
else_empty_interp = "%{if a}x%{else}${""}%{endif}"
else_space        = "%{if a}x%{else} %{endif}"
duplicate_keys    = { a = 1, a = 2 }
