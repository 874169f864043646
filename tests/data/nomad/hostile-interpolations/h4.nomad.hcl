job "h4" {
  datacenters = ["dc1"]

  group "h4" {
    network {
      mode = "bridge"
    }

    service {
      name = "h4"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h4" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h4"
        args    = ["$${true.x}"]
      }

      env {
        V = "$${true.x}"
      }
    }
  }
}
