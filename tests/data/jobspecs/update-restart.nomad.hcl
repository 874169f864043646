# Rollout and failure handling: the job's update strategy, a group that
# overrides parts of it, restart/reschedule/migrate policies, and task
# lifecycle, logs and timeouts.
job "api" {
  datacenters = ["dc1"]
  priority    = 70

  update {
    max_parallel      = 2
    min_healthy_time  = "15s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = true
    canary            = 1
  }

  group "api" {
    count          = 4
    shutdown_delay = "5s"

    update {
      max_parallel = 1
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "25s"
      mode     = "delay"
    }

    reschedule {
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "1h"
      unlimited      = true
    }

    migrate {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "10s"
      healthy_deadline = "5m"
    }

    ephemeral_disk {
      size = 500
    }

    task "migrate-db" {
      driver = "exec"

      lifecycle {
        hook    = "prestart"
        sidecar = false
      }

      config {
        command = "/usr/local/bin/migrate"
      }
    }

    task "api" {
      driver       = "exec"
      kill_timeout = "30s"
      kill_signal  = "SIGTERM"

      config {
        command = "/usr/local/bin/api"
      }

      logs {
        max_files     = 5
        max_file_size = 20
      }
    }
  }
}
