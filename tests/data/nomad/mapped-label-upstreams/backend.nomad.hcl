job "backend" {
  datacenters = ["dc1"]

  group "api" {
    network {
      mode = "bridge"
    }

    service {
      name = "api"
      port = "9001"

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

  group "cache" {
    network {
      mode = "bridge"
    }

    service {
      name = "cache"
      port = "6379"

      connect {
        sidecar_service {}
      }
    }

    task "cache" {
      driver = "exec"

      config {
        command = "/usr/local/bin/cache"
      }
    }
  }
}
