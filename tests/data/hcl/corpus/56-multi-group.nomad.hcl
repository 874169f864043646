job "shop" {
  datacenters = ["dc1"]
  namespace   = "default"
  region      = "global"
  meta {
    owner = "shop-team"
  }

  group "frontend" {
    count = 3
    network {
      mode = "bridge"
    }
    service {
      name = "shop-frontend"
      port = "8080"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "shop-cart"
              local_bind_port  = 9100
            }
          }
        }
      }
    }
    task "ui" {
      driver = "docker"
      config { image = "shop/ui:1" }
    }
  }

  group "cart" {
    network {
      mode = "bridge"
    }
    service {
      name = "shop-cart"
      port = "9000"
      connect {
        sidecar_service {}
      }
    }
    task "cart" {
      driver = "docker"
      config { image = "shop/cart:1" }
    }
  }

  group "worker" {
    count = 0
    task "worker" {
      driver = "exec"
      config {
        command = "worker"
        args    = ["--queue", "orders"]
      }
    }
  }
}
