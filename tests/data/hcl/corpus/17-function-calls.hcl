no_args      = timestamp()
one_arg      = upper("a")
two_args     = join(",", list)
nested       = lower(upper(trimspace(" x ")))
expand       = max(numbers...)
expand_more  = format("%s-%s", parts...)
trailing     = concat([1], [2],)
multi_line   = merge(
  { a = 1 },
  { b = 2 },
)
in_list      = [length(a), keys(m)]
in_object    = { n = length(a) }
namespaced   = provider::ns::fn(1)
call_index   = split(",", s)[0]
call_attr    = lookup(m, "k").field
with_parens  = coalesce((a), (b))
