job "ingress" {
  datacenters = ["dc1"]

  group "ingress-group" {
    network {
      mode = "bridge"
      port "inbound" {
        static = 8080
        to     = 8080
      }
    }

    service {
      name = "my-ingress-service"
      port = "8080"

      connect {
        gateway {
          proxy {
            connect_timeout = "500ms"
          }
          ingress {
            listener {
              port     = 8080
              protocol = "tcp"
              service {
                name = "uuid-api"
              }
            }
            listener {
              port     = 8081
              protocol = "http"
              service {
                name  = "web"
                hosts = ["web.example.com", "web.example.com:8081"]
              }
            }
          }
        }
      }
    }
  }
}
