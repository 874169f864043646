job "h11" {
  datacenters = ["dc1"]

  group "h11" {
    network {
      mode = "bridge"
    }

    service {
      name = "h11"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h11" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h11"
        args    = ["${NOMAD_PORT_http}"]
      }

      env {
        V = "${NOMAD_PORT_http}"
      }
    }
  }
}
