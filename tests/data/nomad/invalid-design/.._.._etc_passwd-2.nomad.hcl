job ".._.._etc_passwd" {
  datacenters = [""]

  group "twin" {
    network {
      mode = "bridge"
    }

    service {
      name = "twin"

      connect {
        sidecar_service {}
      }
    }

    task "twin" {
      driver = "exec"

      config {
        command = "/usr/local/bin/twin"
      }
    }
  }
}
