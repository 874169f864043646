job "frontend" {
  datacenters = ["dc1", "dc2"]
  type        = "service"

  group "web" {
    count = 2

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "web"
      port = "http"
      tags = ["frontend", "v2"]

      connect {
        sidecar_service {
          tags = ["sidecar"]
          proxy {
            local_service_port = 8080
            upstreams {
              destination_name = "api"
              local_bind_port  = 9001
            }
            upstreams {
              destination_name = "cache"
              local_bind_port  = 9002
              datacenter       = "dc2"
              mesh_gateway {
                mode = "local"
              }
            }
            config {
              protocol = "http"
            }
          }
        }
        sidecar_task {
          resources {
            cpu    = 100
            memory = 64
          }
        }
      }

      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
        expose   = true
      }
    }

    task "web" {
      driver = "docker"
      config {
        image = "example/web:2.1"
        ports = ["http"]
      }
      env {
        API_URL   = "http://${NOMAD_UPSTREAM_ADDR_api}"
        CACHE_URL = "http://${NOMAD_UPSTREAM_ADDR_cache}"
      }
    }
  }
}
