basic     = a ? b : c
literals  = true ? 1 : 2
strings   = enabled ? "on" : "off"
nested    = a ? b ? 1 : 2 : 3
chain     = a ? 1 : b ? 2 : 3
compare   = count > 1 ? "many" : "one"
in_parens = (a ? b : c)
with_call = length(xs) > 0 ? xs[0] : null
multi_line = (
  a
  ? "yes"
  : "no"
)
in_list = [a ? 1 : 2, b ? 3 : 4]
