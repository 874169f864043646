job "h5" {
  datacenters = ["dc1"]

  group "h5" {
    network {
      mode = "bridge"
    }

    service {
      name = "h5"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h5" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h5"
        args    = ["$${var.x}"]
      }

      env {
        V = "$${var.x}"
      }
    }
  }
}
