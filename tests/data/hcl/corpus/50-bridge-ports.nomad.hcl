job "ports" {
  datacenters = ["dc1"]

  group "edge" {
    network {
      mode = "bridge"
      port "http" {
        static = 80
        to     = 8080
      }
      port "https" {
        static       = 443
        to           = 8443
        host_network = "public"
      }
      port "metrics" {}
      port "admin" {
        to = -1
      }
      dns {
        servers  = ["1.1.1.1", "8.8.8.8"]
        searches = ["service.consul"]
        options  = ["ndots:2"]
      }
    }

    task "proxy" {
      driver = "docker"
      config {
        image        = "nginx:1.25"
        ports        = ["http", "https", "metrics"]
        network_mode = "bridge"
      }
      env {
        LISTEN       = "${NOMAD_PORT_http}"
        METRICS_ADDR = "${NOMAD_ADDR_metrics}"
        HOST_IP      = "${NOMAD_HOST_IP_https}"
      }
    }
  }
}
