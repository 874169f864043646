job "gateways" {
  datacenters = ["dc1"]

  group "terminating" {
    network {
      mode = "bridge"
    }
    service {
      name = "api-terminating-gateway"
      connect {
        gateway {
          proxy {}
          terminating {
            service {
              name      = "legacy-db"
              ca_file   = "/etc/ssl/ca.pem"
              cert_file = "/etc/ssl/cert.pem"
              key_file  = "/etc/ssl/key.pem"
              sni       = "db.internal"
            }
          }
        }
      }
    }
  }

  group "mesh" {
    network {
      mode = "bridge"
      port "mesh_wan" {
        static = 8443
      }
    }
    service {
      name = "mesh-gateway"
      port = "mesh_wan"
      connect {
        gateway {
          mesh {}
        }
      }
    }
  }
}
