job "h8" {
  datacenters = ["dc1"]

  group "h8" {
    network {
      mode = "bridge"
    }

    service {
      name = "h8"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h8" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h8"
        args    = ["$${upper(x)}"]
      }

      env {
        V = "$${upper(x)}"
      }
    }
  }
}
