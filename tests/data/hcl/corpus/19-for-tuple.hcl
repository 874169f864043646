values   = [for v in list : v]
upper    = [for s in names : upper(s)]
indexed  = [for i, v in list : i]
filtered = [for v in list : v if v != ""]
literal  = [for v in ["a", "b"] : v]
nested   = [for xs in matrix : [for x in xs : x * 2]]
complex  = [for i, v in list : "${i}=${v}" if i < 2]
objects  = [for s in services : { name = s.name, port = s.port }]
multi_line = [
  for v in list :
  v
  if v > 0
]
keyword_var = [for in in ins : in]
