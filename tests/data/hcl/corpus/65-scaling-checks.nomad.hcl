job "autoscaled" {
  datacenters = ["dc1"]

  group "api" {
    count = 2

    scaling {
      enabled = true
      min     = 1
      max     = 10
      policy {
        cooldown            = "1m"
        evaluation_interval = "30s"
        check "avg_cpu" {
          source = "nomad-apm"
          query  = "avg_cpu-allocated"
          strategy "target-value" {
            target = 70
          }
        }
      }
    }

    service {
      name = "api"
      port = "http"
      check {
        type     = "script"
        name     = "ready"
        command  = "/bin/check"
        args     = ["--fast"]
        interval = "20s"
        timeout  = "5s"
        check_restart {
          limit           = 3
          grace           = "90s"
          ignore_warnings = false
        }
      }
      check {
        type     = "tcp"
        port     = "http"
        interval = "10s"
        timeout  = "2s"
      }
    }
  }
}
