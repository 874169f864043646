job "h0" {
  datacenters = ["dc1"]

  group "h0" {
    network {
      mode = "bridge"
    }

    service {
      name = "h0"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h0" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h0"
        args    = ["$${true}"]
      }

      env {
        V = "$${true}"
      }
    }
  }
}
