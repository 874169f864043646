job "postgres" {
  datacenters = ["dc1"]

  group "db" {
    volume "data" {
      type            = "csi"
      source          = "pg-data"
      read_only       = false
      attachment_mode = "file-system"
      access_mode     = "single-node-writer"
      per_alloc       = true
      mount_options {
        fs_type     = "ext4"
        mount_flags = ["noatime"]
      }
    }
    volume "certs" {
      type      = "host"
      source    = "certs"
      read_only = true
    }

    task "postgres" {
      driver = "docker"
      volume_mount {
        volume      = "data"
        destination = "/var/lib/postgresql/data"
      }
      volume_mount {
        volume      = "certs"
        destination = "/certs"
        read_only   = true
      }
      config {
        image = "postgres:16"
      }
      env {
        POSTGRES_PASSWORD_FILE = "/secrets/pg-password"
        PGDATA                 = "/var/lib/postgresql/data/pgdata"
      }
    }
  }
}
