job "h9" {
  datacenters = ["dc1"]

  group "h9" {
    network {
      mode = "bridge"
    }

    service {
      name = "h9"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h9" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h9"
        args    = ["$$${x}"]
      }

      env {
        V = "$$${x}"
      }
    }
  }
}
