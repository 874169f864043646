# A storefront with two Connect services: web calls cart and catalog through
# its sidecar's upstreams; cart is an upstream only.
job "shop" {
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
      port = "8080"
      tags = ["frontend", "v1"]

      meta {
        version = "1.2"
      }

      check {
        type     = "http"
        path     = "/health"
        interval = "10s"
        timeout  = "2s"
        expose   = true
      }

      connect {
        sidecar_service {
          proxy {
            local_service_port = 8080

            upstreams {
              destination_name = "cart"
              local_bind_port  = 9100
            }

            upstreams {
              destination_name   = "catalog"
              local_bind_port    = 9101
              local_bind_address = "127.0.0.2"
            }
          }
        }
      }
    }

    task "web" {
      driver = "docker"

      config {
        image = "shop/web:1.2"
        args  = ["--listen", "0.0.0.0:8080"]
      }

      env {
        CART_URL    = "http://${NOMAD_UPSTREAM_ADDR_cart}"
        PORT        = 8080
        LOG_VERBOSE = true
      }

      resources {
        cpu    = 200
        memory = 256
      }

      meta {
        team = "storefront"
      }
    }
  }

  group "cart" {
    network {
      mode = "bridge"
    }

    service {
      name = "cart"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "cart" {
      driver = "exec"

      config {
        command = "/usr/local/bin/cart"
      }
    }
  }
}
