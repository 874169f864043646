index_num    = list[0]
index_str    = map["key"]
index_expr   = list[length(list) - 1]
index_var    = map[key]
attr         = obj.field
attr_chain   = a.b.c.d
mixed        = a.b[0].c["d"].e
legacy_index = list.0
legacy_chain = list.1.name
index_spaced = list[ 0 ]
index_newline = list[
  0
]
on_tuple     = [1, 2, 3][1]
on_object    = { a = 1 }.a
on_object_idx = { a = 1 }["a"]
on_paren     = (a).b
on_template  = "abc"[0]
var_ref      = var.datacenters
local_ref    = local.name
