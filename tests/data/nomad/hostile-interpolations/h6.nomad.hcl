job "h6" {
  datacenters = ["dc1"]

  group "h6" {
    network {
      mode = "bridge"
    }

    service {
      name = "h6"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h6" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h6"
        args    = ["$${local.y}"]
      }

      env {
        V = "$${local.y}"
      }
    }
  }
}
