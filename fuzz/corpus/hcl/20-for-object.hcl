by_name  = { for s in services : s.name => s }
indexed  = { for i, v in list : v => i }
grouping = { for i, v in list : v => i... }
filtered = { for k, v in m : k => v if v != null }
grouped_filtered = { for k, v in m : v.team => k... if v.enabled }
literal  = { for i, v in ["a", "a", "b"] : v => i... }
upper    = { for k, v in m : upper(k) => v }
multi_line = {
  for k, v in m :
  k => v
}
template_key = { for k, v in m : "${k}-x" => v }
