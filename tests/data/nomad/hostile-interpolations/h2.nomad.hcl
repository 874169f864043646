job "h2" {
  datacenters = ["dc1"]

  group "h2" {
    network {
      mode = "bridge"
    }

    service {
      name = "h2"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h2" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h2"
        args    = ["$${null}"]
      }

      env {
        V = "$${null}"
      }
    }
  }
}
