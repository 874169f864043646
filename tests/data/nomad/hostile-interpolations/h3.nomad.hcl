job "h3" {
  datacenters = ["dc1"]

  group "h3" {
    network {
      mode = "bridge"
    }

    service {
      name = "h3"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h3" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h3"
        args    = ["x$${true}y"]
      }

      env {
        V = "x$${true}y"
      }
    }
  }
}
