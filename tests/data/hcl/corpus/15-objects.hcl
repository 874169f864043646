empty = {}
ident_keys = { a = 1, b = 2 }
colon_keys = { a: 1, b: 2 }
mixed_sep  = { a = 1, b: 2 }
quoted     = { "with space" = 1, "dotted.key" = 2, "" = 3 }
multi_line = {
  first  = "1"
  second = "2"
  third  = "3"
}
commas_and_newlines = {
  a = 1,
  b = 2,
  c = 3
}
nested = {
  outer = {
    inner = {
      deepest = true
    }
  }
}
values = { list = [1, 2], obj = { x = 1 }, str = "s" }
one_line_trailing = { a = 1, }
