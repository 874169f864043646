job "web" {
  datacenters = ["dc1"]

  group "web" {
    network {
      mode = "host"

      port "http" {
        static = 8080
      }

      port "admin" {}
    }

    service {
      name = "web"
      port = "http"

      check {
        type     = "tcp"
        interval = "5s"
        timeout  = "1s"
      }
    }

    task "web" {
      driver = "docker"

      config {
        image = "nginx:1.25"
        args  = ["-g", "daemon off;"]
      }
    }
  }
}
