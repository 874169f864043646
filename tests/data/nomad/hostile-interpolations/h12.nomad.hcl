job "h12" {
  datacenters = ["dc1"]

  group "h12" {
    network {
      mode = "bridge"
    }

    service {
      name = "h12"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h12" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h12"
        args    = ["${trueish}"]
      }

      env {
        V = "${trueish}"
      }
    }
  }
}
