# An edge proxy on fixed host ports: `static` ports are reserved, the port
# without one is dynamic; env written as a map so that a key may hold a dot.
job "ingress" {
  datacenters = ["dc1"]

  group "edge" {
    count = 1

    network {
      mode = "bridge"

      port "http" {
        static = 8080
        to     = 80
      }

      port "admin" {
        static = 9901
      }

      port "metrics" {}
    }

    service {
      name = "edge"
      port = "http"

      check {
        name     = "edge-alive"
        type     = "tcp"
        port     = "http"
        interval = "1m30s"
        timeout  = "500ms"
      }
    }

    task "haproxy" {
      driver = "raw_exec"

      config {
        command = "/usr/sbin/haproxy"
        args    = ["-f", "local/haproxy.cfg", "-db"]
      }

      env = {
        "HTTP_PORT"  = "${NOMAD_PORT_http}"
        "ADMIN.ADDR" = "${NOMAD_ADDR_admin}"
      }
    }
  }
}
