job "h7" {
  datacenters = ["dc1"]

  group "h7" {
    network {
      mode = "bridge"
    }

    service {
      name = "h7"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h7" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h7"
        args    = ["$${var}"]
      }

      env {
        V = "$${var}"
      }
    }
  }
}
