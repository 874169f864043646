job "nightly" {
  datacenters = ["dc1"]
  type        = "batch"

  periodic {
    crons            = ["0 2 * * *", "30 14 * * 1-5"]
    prohibit_overlap = true
    time_zone        = "Europe/Berlin"
  }

  group "report" {
    task "report" {
      driver = "exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "echo report for $(date) > ${NOMAD_ALLOC_DIR}/out"]
      }
      artifact {
        source      = "https://example.com/report.tar.gz"
        destination = "local/report"
        options {
          checksum = "sha256:abcdef0123456789"
        }
      }
    }
  }
}
