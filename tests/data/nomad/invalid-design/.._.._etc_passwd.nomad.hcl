job "../../etc/passwd" {
  datacenters = [""]

  group "escape" {
    network {
      mode = "bridge"
    }

    service {
      name = "escape"

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "twin"
              local_bind_port  = 0
            }
          }
        }
      }
    }

    task "escape" {
      driver = "exec"

      config {
        command = "/usr/local/bin/escape"
      }

      resources {
        cpu = -5
      }
    }
  }
}
