job "redis" {
  datacenters = ["dc1"]

  group "cache" {
    network {
      port "db" {
        to = 6379
      }
    }

    task "redis" {
      driver = "docker"

      config {
        image          = "redis:7"
        ports          = ["db"]
        command        = "redis-server"
        args           = [
          "--port", "${NOMAD_PORT_db}",
          "--maxmemory", "256mb",
          "--save", "",
        ]
        entrypoint     = ["/usr/local/bin/docker-entrypoint.sh"]
        auth_soft_fail = true
        labels = {
          "com.example.team" = "platform"
          owner              = "cache"
        }
        mount {
          type   = "bind"
          source = "local/redis.conf"
          target = "/etc/redis/redis.conf"
        }
        logging {
          type = "journald"
          config {
            tag = "redis"
          }
        }
      }

      resources {
        cpu    = 500
        memory = 256
        device "nvidia/gpu" {
          count = 1
        }
      }
    }
  }
}
