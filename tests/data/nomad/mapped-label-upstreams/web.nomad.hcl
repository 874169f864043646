job "web" {
  datacenters = ["dc1"]

  group "web" {
    network {
      mode = "bridge"

      port "http" {
        to = 9002
      }
    }

    service {
      name = "web"
      port = "http"

      connect {
        sidecar_service {
          proxy {
            local_service_port = 9002

            upstreams {
              destination_name = "api"
              local_bind_port  = 8080
            }

            upstreams {
              destination_name   = "cache"
              local_bind_port    = 6379
              local_bind_address = "127.0.0.2"
            }
          }
        }
      }
    }

    task "web" {
      driver = "exec"

      config {
        command = "/usr/local/bin/web"
      }

      env {
        PORT  = "${NOMAD_PORT_http}"
        API   = "http://${NOMAD_UPSTREAM_ADDR_api}"
        CACHE = "${NOMAD_UPSTREAM_ADDR_cache}"
      }
    }
  }
}
