in_list = [<<EOT
one
EOT
, <<EOT
two
EOT
]
in_object = {
  key = <<EOT
value
EOT
}
in_call = trimspace(<<EOT
  padded
EOT
)
in_block "x" {
  data = <<-JSON
    {"a": 1, "b": [1, 2]}
    JSON
}
