# A batch job that renders its configuration: an inline template (Nomad's
# runtime variables stay text for the client), a template from a file with a
# wait, and an artifact.
job "config-demo" {
  datacenters = ["dc1"]
  type        = "batch"

  group "render" {
    task "render" {
      driver = "exec"

      config {
        command = "/bin/cat"
        args    = ["local/app.conf"]
      }

      template {
        data          = <<-EOT
          port = {{ env "NOMAD_PORT_http" }}
          upstream = ${NOMAD_UPSTREAM_ADDR_api}
          literal = $${not_interpolated}
        EOT
        destination   = "local/app.conf"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        splay         = "10s"
      }

      template {
        source      = "local/in.tpl"
        destination = "secrets/out.env"
        env         = true

        wait {
          min = "2s"
          max = "10s"
        }
      }

      artifact {
        source      = "https://example.com/app.tar.gz"
        destination = "local/app"

        options {
          checksum = "sha256:abc123"
        }
      }
    }
  }
}
