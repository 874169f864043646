job "search" {
  datacenters = ["dc1"]

  group "search" {
    network {
      mode = "bridge"
    }

    service {
      name = "search"
      port = "9200"
      tags = ["v1", "primary"]

      meta = {
        version      = "7"
        "team.owner" = "search"
      }

      connect {
        sidecar_service {}
      }
    }

    task "search" {
      driver = "exec"

      config {
        command = "/usr/local/bin/search"
      }

      env = {
        "discovery.type" = "single-node"
        ES_JAVA_OPTS     = "-Xms512m"
      }

      resources {
        cpu    = 500
        memory = 1024
      }
    }
  }
}
