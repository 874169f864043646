job "" {
  datacenters = [""]

  group "" {
    count = 0

    network {
      mode = "bridge"
    }

    service {
      name = ""

      connect {
        sidecar_service {}
      }
    }

    task "" {
      driver = "exec"

      config {}

      env {
        PORT = "2"
        X    = ""
      }
    }
  }
}
