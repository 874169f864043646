job "h1" {
  datacenters = ["dc1"]

  group "h1" {
    network {
      mode = "bridge"
    }

    service {
      name = "h1"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h1" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h1"
        args    = ["$${false}"]
      }

      env {
        V = "$${false}"
      }
    }
  }
}
