job "shop" {
  datacenters = ["dc1"]

  group "api" {
    count = 2

    network {
      mode = "bridge"
    }

    service {
      name = "api"
      port = "9001"

      check {
        type     = "http"
        path     = "/health"
        interval = "1500ms"
        timeout  = "2s"
        expose   = true
      }

      connect {
        sidecar_service {}
      }
    }

    task "api" {
      driver = "exec"

      config {
        command = "/usr/local/bin/api"
      }
    }
  }

  group "worker" {
    network {
      mode = "bridge"

      port "http" {
        static = 9100
      }
    }

    service {
      name = "worker"
      port = "http"

      check {
        type     = "http"
        path     = "/ready"
        interval = "60s"
        timeout  = "500ms"
      }
    }

    task "worker" {
      driver = "exec"

      config {
        command = "/usr/local/bin/worker"
      }
    }
  }
}
