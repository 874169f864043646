job "h13" {
  datacenters = ["dc1"]

  group "h13" {
    network {
      mode = "bridge"
    }

    service {
      name = "h13"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h13" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h13"
        args    = ["${node.unique.name}"]
      }

      env {
        V = "${node.unique.name}"
      }
    }
  }
}
