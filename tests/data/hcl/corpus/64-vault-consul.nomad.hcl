job "secrets" {
  datacenters = ["dc1"]

  vault {
    policies      = ["app-read"]
    change_mode   = "signal"
    change_signal = "SIGUSR1"
  }

  group "app" {
    consul {
      namespace = "team-a"
    }
    task "app" {
      driver = "docker"
      identity {
        env  = true
        file = true
      }
      config {
        image = "app:latest"
      }
      template {
        destination = "secrets/db.env"
        env         = true
        data        = <<-EOT
          {{ with secret "database/creds/app" }}
          DB_USER={{ .Data.username }}
          DB_PASS={{ .Data.password }}
          {{ end }}
          {{ range $i, $s := service "redis" }}REDIS_{{ $i }}={{ $s.Address }}:{{ $s.Port }}
          {{ end }}
          EOT
      }
    }
  }
}
