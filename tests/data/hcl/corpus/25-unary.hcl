neg_lit       = -1
neg_float     = -0.5
neg_exp       = -1e3
not_true      = !true
not_false     = !false
neg_var       = -x
not_var       = !enabled
neg_paren     = -(1)
neg_space     = - 1
neg_call      = -abs(x)
not_call      = !contains(list, x)
neg_in_list   = [-1, -2.5, -x]
neg_in_object = { min = -10, max = 10 }
neg_template  = "${-1}"
