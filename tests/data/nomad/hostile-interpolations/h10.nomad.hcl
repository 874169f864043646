job "h10" {
  datacenters = ["dc1"]

  group "h10" {
    network {
      mode = "bridge"
    }

    service {
      name = "h10"
      port = "9000"

      connect {
        sidecar_service {}
      }
    }

    task "h10" {
      driver = "exec"

      config {
        command = "/usr/local/bin/h10"
        args    = ["%%{if true}x%%{endif}"]
      }

      env {
        V = "%%{if true}x%%{endif}"
      }
    }
  }
}
