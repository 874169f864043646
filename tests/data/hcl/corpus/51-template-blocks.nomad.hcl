job "templates" {
  datacenters = ["dc1"]
  group "app" {
    task "app" {
      driver = "exec"
      config {
        command = "/usr/local/bin/app"
        args    = ["-config", "${NOMAD_TASK_DIR}/app.conf"]
      }
      template {
        destination = "local/app.conf"
        change_mode = "restart"
        data        = <<EOH
listen = "{{ env "NOMAD_ADDR_http" }}"
{{ range service "database" }}
db = "{{ .Address }}:{{ .Port }}"
{{ end }}
literal_nomad = "$${NOMAD_ALLOC_ID}"
alloc = "${NOMAD_ALLOC_ID}"
EOH
      }
      template {
        destination     = "secrets/env"
        env             = true
        change_mode     = "signal"
        change_signal   = "SIGHUP"
        left_delimiter  = "[["
        right_delimiter = "]]"
        data            = <<-EOH
          API_KEY=[[ with secret "kv/data/api" ]][[ .Data.data.key ]][[ end ]]
          REGION=[[ env "NOMAD_REGION" ]]
          EOH
      }
      template {
        destination = "local/upstreams.json"
        data        = "{\"upstream\": \"{{ env \"NOMAD_UPSTREAM_ADDR_api\" }}\"}"
      }
      template {
        source      = "local/in.tpl"
        destination = "local/out"
        perms       = "0640"
        splay       = "5s"
        wait {
          min = "2s"
          max = "10s"
        }
      }
    }
  }
}
