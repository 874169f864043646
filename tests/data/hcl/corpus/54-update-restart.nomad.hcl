job "rolling" {
  datacenters = ["dc1"]
  priority    = 70

  update {
    max_parallel      = 2
    min_healthy_time  = "30s"
    healthy_deadline  = "5m"
    progress_deadline = "10m"
    auto_revert       = true
    auto_promote      = false
    canary            = 1
    stagger           = "30s"
    health_check      = "checks"
  }

  group "web" {
    count = 4

    restart {
      attempts = 3
      interval = "30m"
      delay    = "15s"
      mode     = "fail"
    }
    reschedule {
      attempts       = 0
      unlimited      = true
      delay          = "30s"
      delay_function = "exponential"
      max_delay      = "1h"
    }
    migrate {
      max_parallel     = 1
      health_check     = "checks"
      min_healthy_time = "10s"
      healthy_deadline = "5m"
    }
    ephemeral_disk {
      size    = 300
      sticky  = true
      migrate = true
    }

    task "web" {
      driver       = "exec"
      kill_timeout = "20s"
      kill_signal  = "SIGTERM"
      config {
        command = "/bin/web"
      }
      logs {
        max_files     = 5
        max_file_size = 10
      }
    }
  }
}
