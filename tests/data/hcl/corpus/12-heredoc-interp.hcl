greeting = <<EOT
Hello, ${name}!
You have ${count} new ${count == 1 ? "message" : "messages"}.
EOT
config = <<-EOT
  %{ for u in upstreams ~}
  upstream ${u.name} { server ${u.addr}; }
  %{ endfor ~}
  %{ if tls }ssl on;%{ else }ssl off;%{ endif }
  EOT
escaped = <<EOT
literal $${NOMAD_ADDR_http} and real ${NOMAD_ADDR_http}
EOT
nested_quotes = <<EOT
${join(", ", ["a", "b"])}
EOT
