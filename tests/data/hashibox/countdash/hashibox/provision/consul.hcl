datacenter       = "dc1"
data_dir         = "/opt/consul"
server           = true
bootstrap_expect = 3
bind_addr        = "{{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"address\" }}"
client_addr      = "127.0.0.1 {{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"address\" }}"
retry_join       = ["10.42.0.11", "10.42.0.12", "10.42.0.13"]

connect {
  enabled = true
}

ports {
  grpc     = 8502
  grpc_tls = -1
}

ui_config {
  enabled = true
}
