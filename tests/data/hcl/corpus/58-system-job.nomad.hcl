job "node-exporter" {
  type        = "system"
  datacenters = ["*"]
  node_pool   = "all"

  group "exporter" {
    network {
      port "metrics" {
        static = 9100
      }
    }
    service {
      name     = "node-exporter"
      port     = "metrics"
      provider = "nomad"
      check {
        name     = "metrics"
        type     = "http"
        path     = "/metrics"
        interval = "15s"
        timeout  = "3s"
      }
    }
    task "exporter" {
      driver = "raw_exec"
      config {
        command = "node_exporter"
        args    = ["--web.listen-address=:${NOMAD_PORT_metrics}"]
      }
    }
  }
}
