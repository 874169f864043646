variable "upstreams" {
  type = list(object({ name = string, port = number }))
  default = [
    { name = "count-api", port = 8080 },
    { name = "users", port = 8081 },
  ]
}

job "generated" {
  datacenters = ["dc1"]
  group "dashboard" {
    count = length(var.upstreams) > 1 ? 2 : 1
    service {
      name = "dashboard"
      port = "9002"
      connect {
        sidecar_service {
          proxy {
            dynamic "upstreams" {
              for_each = var.upstreams
              content {
                destination_name = upstreams.value.name
                local_bind_port  = upstreams.value.port
              }
            }
          }
        }
      }
    }
    task "dashboard" {
      driver = "docker"
      config {
        image = "hashicorpdev/counter-dashboard:v3"
        args  = [for u in var.upstreams : "--upstream=${u.name}@${u.port}"]
      }
      env = { for u in var.upstreams : "UPSTREAM_${upper(replace(u.name, "-", "_"))}" => "http://${NOMAD_UPSTREAM_ADDR_count_api}" }
    }
  }
}
