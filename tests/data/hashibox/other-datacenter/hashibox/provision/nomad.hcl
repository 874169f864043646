datacenter = "eu-west"
data_dir   = "/opt/nomad/data"
bind_addr  = "0.0.0.0"

advertise {
  http = "{{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"address\" }}"
  rpc  = "{{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"address\" }}"
  serf = "{{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"address\" }}"
}

server {
  enabled          = true
  bootstrap_expect = 3

  server_join {
    retry_join = ["10.42.0.11", "10.42.0.12", "10.42.0.13"]
  }
}

client {
  enabled           = true
  network_interface = "{{ GetPrivateInterfaces | include \"network\" \"10.42.0.0/24\" | attr \"name\" }}"
  cni_path          = "/usr/lib/cni"
  chroot_env = {
    "/bin"            = "/bin"
    "/etc"            = "/etc"
    "/lib"            = "/lib"
    "/lib32"          = "/lib32"
    "/lib64"          = "/lib64"
    "/run/resolvconf" = "/run/resolvconf"
    "/sbin"           = "/sbin"
    "/usr"            = "/usr"
    "/vagrant"        = "/vagrant"
  }
}

consul {
  address      = "127.0.0.1:8500"
  grpc_address = "127.0.0.1:8502"
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}
